package io.github.chakrakafkapipeline.settings;

import java.util.Locale;

/** How an operation's requests ask for the next page ({@code *.paging} settings): not at all, by page, or by skip. */
public enum PagingStyle {
    NONE, PAGE, SKIP;

    /** The setting's value ({@code none}, {@code page}, {@code skip}, any case); IllegalArgumentException otherwise. */
    public static PagingStyle parse(String value) {
        return valueOf(value.trim().toUpperCase(Locale.ROOT));
    }
}
