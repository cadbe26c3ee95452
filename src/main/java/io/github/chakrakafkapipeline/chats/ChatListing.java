package io.github.chakrakafkapipeline.chats;

import java.io.IOException;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.regex.Pattern;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.github.chakrakafkapipeline.chakra.PagedFetch;
import io.github.chakrakafkapipeline.chakra.TargetPoll;
import io.github.chakrakafkapipeline.metrics.PipelineMetrics;
import io.github.chakrakafkapipeline.settings.PagingStyle;
import org.apache.camel.Body;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Discovery: one pass of "List chats" per poll, newest activity first, page after page only as far as it must. Each
 * chat listed with an activity newer than the one it was last read at becomes changed (ChatActivity), and the poll
 * reads it. Paging stops at the end of the list (an empty or short page, {@code _meta.hasMore == false},
 * {@code _meta.total} reached) or at the first chat older than the newest activity the last complete pass saw: every
 * chat below it was listed by that pass. The first pass after a start (or a takeover) lists every page.
 * <p>
 * The API's answer is undocumented (../shared/chakrahq-api.md), so each assumption is a setting; an answer that breaks
 * one is logged once, naming the setting, counted in {@code chakra_pipeline_chat_list_problems_total}, and the rest
 * goes on: the chats found so far are read, and the next poll lists again. On the poll's thread only.
 */
public class ChatListing {

    private static final Logger LOG = LoggerFactory.getLogger(ChatListing.class);
    /** A chat id goes into a URL path with the token: letters, digits and dashes only, never '/', '.' or '%'. */
    private static final Pattern CHAT_ID = Pattern.compile("[A-Za-z0-9-]{1,128}");
    private static final ObjectMapper JSON = new ObjectMapper();

    private final ChatActivity activity;
    private final PipelineMetrics metrics;
    private final String request;
    private final PagingStyle style;
    private final int pageSize;
    private final int maxPages;
    private final String idField;
    private final String activityField;
    private final Set<String> reported = ConcurrentHashMap.newKeySet();

    /** The newest activity seen by the last complete pass; null before one, or when the list is not in order. */
    private volatile Long mark;
    private boolean ordered = true;
    // the pass under way
    private int pages;
    private boolean more;
    private boolean complete;
    private Long newest;
    private Long previous;
    private int seen;
    private int changed;
    private volatile int pagesLastPoll;

    public ChatListing(ChatActivity activity, PipelineMetrics metrics, String request, PagingStyle style,
            int pageSize, int maxPages, String idField, String activityField) {
        this.activity = activity;
        this.metrics = metrics;
        this.request = request;
        this.style = style;
        this.pageSize = pageSize;
        this.maxPages = maxPages;
        this.idField = idField;
        this.activityField = activityField;
    }

    /** Begins the poll's pass: the target poll that names it in logs and metrics ({@code chat-list team}). */
    public TargetPoll start() {
        pages = 0;
        more = true;
        complete = false;
        newest = null;
        previous = null;
        seen = 0;
        changed = 0;
        pagesLastPoll = 0;
        return new TargetPoll(TargetPoll.CHAT_LIST, "team", style);
    }

    /** Whether to ask for another page. */
    public boolean isMore() {
        return more;
    }

    /** The next page's request body. */
    public String nextRequest() {
        return PagedFetch.pageRequest(request, style, pages, pageSize);
    }

    /** Takes one page of the answer; whatever it holds, it never throws: a broken answer ends the pass. */
    public void collect(@Body byte[] response) {
        pages++;
        pagesLastPoll = pages;
        JsonNode answer;
        try {
            answer = response == null ? null : JSON.readTree(response);
        } catch (IOException e) {
            answer = null;
        }
        JsonNode chats = answer == null ? null : answer.get("_data");
        if (chats == null || !chats.isArray()) {
            problem("not-envelope", "List chats answered something other than ChakraHQ's envelope, a JSON object with a "
                    + "_data array of chats (page " + pages + "); the chats found so far are read, the next poll "
                    + "lists again. If ChakraHQ changed List chats, set CHAKRA_CHAT_LIST_REQUEST_BODY and "
                    + "CHAKRA_CHAT_LIST_PAGING to what it accepts, or CHAKRA_CHAT_DISCOVERY=off and list CHAKRA_CHAT_IDS");
            more = false;
            return;
        }
        boolean reachedMark = false;
        // the order is checked within a page only: between two pages, chats that moved to the top push the ones
        // already listed down, and the next page begins with them again
        previous = null;
        for (JsonNode chat : chats) {
            Long chatActivity = number(chat.get(activityField));
            reachedMark |= take(chat, chatActivity);
        }
        JsonNode meta = answer.get("_meta");
        JsonNode hasMore = meta == null ? null : meta.get("hasMore");
        JsonNode total = meta == null ? null : meta.get("total");
        boolean end = chats.isEmpty() || chats.size() < pageSize
                || hasMore != null && hasMore.isBoolean() && !hasMore.booleanValue()
                || total != null && total.canConvertToLong() && (long) pages * pageSize >= total.longValue();
        if (end || (reachedMark && ordered)) {
            more = false;
            complete = true;
        } else if (pages >= maxPages) {
            more = false;
            problem("max-pages", "List chats: stopped after " + pages + " pages (CHAKRA_CHAT_LIST_MAX_PAGES) before "
                    + "the chats already listed; the chats further down are read by the sweep, or raise the setting");
        }
    }

    /** One chat of a page; true when it is older than the last complete pass's newest activity. */
    private boolean take(JsonNode chat, Long chatActivity) {
        JsonNode idNode = chat == null ? null : chat.get(idField);
        // a JSON null (or true) is no id: as text it would be the chat "null"
        if (idNode == null || !(idNode.isTextual() || idNode.isIntegralNumber()) || idNode.asText().isEmpty()) {
            problem("no-id", "List chats returned a chat without an id in field '" + idField + "' (it is skipped); if "
                    + "ChakraHQ names the chat id otherwise, set CHAKRA_CHAT_LIST_ID_FIELD");
            return false;
        }
        String id = idNode.asText();
        if (!CHAT_ID.matcher(id).matches()) {
            problem("invalid-id", "List chats returned the chat id '" + shorten(id) + "', which is not made of letters, "
                    + "digits and dashes; it is skipped and never sent to ChakraHQ in a URL");
            return false;
        }
        seen++;
        if (chatActivity == null) {
            problem("no-activity", "List chats returned chat " + id + " without a number in field '" + activityField
                    + "'; such a chat is read when first seen, then only by the sweep. If ChakraHQ names the activity "
                    + "otherwise, set CHAKRA_CHAT_LIST_ACTIVITY_FIELD");
            if (activity.lastRead(id) == null && activity.listed(id, 0)) {
                changed++;
            }
            return false;
        }
        if (previous != null && chatActivity > previous && ordered) {
            ordered = false;
            mark = null;
            problem("unordered", "List chats does not list the newest activity first (field '" + activityField
                    + "'); every page is listed at each poll. Set CHAKRA_CHAT_LIST_REQUEST_BODY to ask for that order");
        }
        previous = chatActivity;
        newest = newest == null ? chatActivity : Math.max(newest, chatActivity);
        if (activity.listed(id, chatActivity)) {
            changed++;
        }
        Long reached = mark;
        return reached != null && chatActivity < reached;
    }

    /** Ends the pass that reached its end: the next one stops where this one began. */
    public void finish() {
        if (complete && ordered && newest != null) {
            mark = mark == null ? newest : Math.max(mark, newest);
        }
        LOG.debug("List chats: {} pages, {} chats seen, {} changed", pages, seen, changed);
    }

    /** After a takeover, the replica before may have listed and read chats this one did not see: list them all. */
    public void forget() {
        mark = null;
    }

    /** List chats pages asked for in this poll's pass. */
    public int pagesThisPoll() {
        return pagesLastPoll;
    }

    private void problem(String kind, String message) {
        metrics.chatListProblem(kind);
        if (reported.add(kind)) {
            LOG.warn("{} (logged once)", message);
        }
    }

    /** Epoch milliseconds, as a JSON number or a string of digits. */
    private static Long number(JsonNode value) {
        if (value != null && value.isIntegralNumber() && value.canConvertToLong()) {
            return value.longValue();
        }
        try {
            return value != null && value.isTextual() ? Long.valueOf(value.asText().trim()) : null;
        } catch (NumberFormatException e) {
            return null;
        }
    }

    private static String shorten(String id) {
        return id.length() <= 60 ? id : id.substring(0, 60) + "...";
    }
}
