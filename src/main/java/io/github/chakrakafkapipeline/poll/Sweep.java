package io.github.chakrakafkapipeline.poll;

import java.time.Duration;
import java.util.ArrayList;
import java.util.Collection;
import java.util.List;
import java.util.function.Predicate;
import java.util.function.Supplier;

/**
 * The safety net of discovery: every known chat is read again once per sweep interval (CHAKRA_CHAT_SWEEP_INTERVAL_MILLIS),
 * a share at each poll, to catch what reading by activity can miss: a message that did not move its chat's
 * {@code updatedAt}, a chat that a shifting page of List chats skipped. Lowest priority: a poll gives the sweep only
 * the requests its budget has left once the changed and listed targets were read, so a busy hour slows the sweep
 * down instead of delaying fresh messages.
 */
public class Sweep {

    private final Duration interval;
    private List<String> round = List.of();
    private int next;
    private long completed;
    /** This round's reads owed so far, fractions included: a small team is swept a chat every few polls. */
    private double owed;

    public Sweep(Duration interval) {
        this.interval = interval;
    }

    /**
     * The chats to read in this poll: this poll's share of a round over {@code known} (a round takes the sweep
     * interval), at most {@code room} of them (what the budget leaves: the rest is owed to later polls), leaving out
     * those {@code busy} (read anyway, or being read).
     */
    public synchronized List<String> next(Supplier<Collection<String>> known, Duration pollInterval, int room,
            Predicate<String> busy) {
        if (next >= round.size()) {
            round = new ArrayList<>(known.get()); // sorted and copied once a round, not at every poll
            next = 0;
        }
        owed = Math.min(owed + round.size() * (double) pollInterval.toMillis() / interval.toMillis(), round.size());
        List<String> due = new ArrayList<>();
        int share = (int) Math.min(owed, room);
        owed -= share;
        for (int taken = 0; next < round.size() && taken < share; next++) {
            String chat = round.get(next);
            if (!busy.test(chat)) {
                due.add(chat);
            }
            taken++; // a busy chat counts as swept: it is being read anyway
        }
        if (!round.isEmpty() && next >= round.size()) {
            completed++;
        }
        return due;
    }

    /** How far the current round is, from 0 to 1. */
    public synchronized double progress() {
        return round.isEmpty() ? 0 : (double) next / round.size();
    }

    /** Rounds completed since the start. */
    public synchronized long completed() {
        return completed;
    }
}
