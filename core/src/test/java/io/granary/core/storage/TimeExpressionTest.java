package io.granary.core.storage;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.granary.core.error.ErrorCode;
import io.granary.core.error.GranaryException;
import java.time.Duration;
import java.time.Instant;
import org.junit.jupiter.api.Test;

class TimeExpressionTest {

    private static final Instant NOW = Instant.parse("2024-05-10T12:00:00Z");

    @Test
    void readsTheFormsKeboolasClientsSend() {
        assertThat(TimeExpression.resolve("changedSince", "-1 days", NOW)).isEqualTo(NOW.minus(Duration.ofDays(1)));
        assertThat(TimeExpression.resolve("changedSince", "2 hours ago", NOW)).isEqualTo(NOW.minus(Duration.ofHours(2)));
        assertThat(TimeExpression.resolve("changedSince", "+3 weeks", NOW)).isEqualTo(NOW.plus(Duration.ofDays(21)));
        assertThat(TimeExpression.resolve("changedSince", "1360138863", NOW)).isEqualTo(Instant.ofEpochSecond(1360138863));
        assertThat(TimeExpression.resolve("changedSince", "2013-02-12T15:19:21+00:00", NOW))
                .isEqualTo(Instant.parse("2013-02-12T15:19:21Z"));
        assertThat(TimeExpression.resolve("changedSince", "2013-02-12T15:19:21+0100", NOW))
                .isEqualTo(Instant.parse("2013-02-12T14:19:21Z"));
        assertThat(TimeExpression.resolve("changedSince", "  ", NOW)).isNull();
        assertThat(TimeExpression.resolve("changedSince", null, NOW)).isNull();
    }

    @Test
    void anythingElseIsA400NamingTheParameter() {
        assertThatThrownBy(() -> TimeExpression.resolve("changedUntil", "yesterday", NOW))
                .isInstanceOfSatisfying(GranaryException.class,
                        e -> assertThat(e.errorCode()).isEqualTo(ErrorCode.VALIDATION))
                .hasMessage("Invalid request: changedUntil: \"yesterday\" is not a time: use ISO 8601, Unix seconds or a"
                        + " relative time such as \"-1 days\".");
    }
}
