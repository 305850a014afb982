package io.modeld.api.schema;

import java.time.Instant;
import java.time.ZoneOffset;
import java.time.format.DateTimeFormatter;
import java.time.temporal.ChronoUnit;

/** GroupedTimestamp: an ISO-8601 instant and the same instant for people. */
public record GroupedTimestamp(Schema schema, Instant value, String readable) {

    private static final DateTimeFormatter READABLE =
            DateTimeFormatter.ofPattern("yyyy-MM-dd HH:mm 'UTC'").withZone(ZoneOffset.UTC);

    public static GroupedTimestamp of(Schema schema, Instant instant) {
        Instant millis = instant.truncatedTo(ChronoUnit.MILLIS);
        return new GroupedTimestamp(schema, millis, READABLE.format(millis));
    }
}
