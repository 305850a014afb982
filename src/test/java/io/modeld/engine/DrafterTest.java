package io.modeld.engine;

import static org.assertj.core.api.Assertions.assertThat;

import org.junit.jupiter.api.Test;

/** The n-gram lookup alone: what it proposes, how long, and how it waits after misses. */
class DrafterTest {

    @Test
    void proposes_what_followed_the_last_tokens_at_their_most_recent_earlier_occurrence() {
        Drafter d = new Drafter();
        //               0  1  2  3  4  5  6  7  8  9 10 11 12 13, then the token being generated: 4
        int[] tokens = {1, 2, 3, 4, 9, 9, 1, 2, 3, 4, 7, 8, 5, 1, 2, 3};
        assertThat(d.propose(tokens, tokens.length, 4, 100)).as("after 1 2 3 4 came 7 8 5 1 most recently")
                .containsExactly(7, 8, 5, 1);
        assertThat(d.propose(new int[] {5, 6, 7, 8}, 4, 9, 100)).as("nothing repeats").isEmpty();
        assertThat(d.propose(tokens, tokens.length, 4, 2)).as("no more than the room").containsExactly(7, 8);
    }

    @Test
    void the_length_follows_what_was_kept_and_misses_make_it_wait_longer() {
        Drafter d = new Drafter();
        int[] loop = new int[64];
        for (int i = 0; i < loop.length; i++) {
            loop[i] = i % 16;
        }
        assertThat(d.propose(loop, loop.length, 0, 100)).hasSize(4);
        d.checked(4, 4);
        assertThat(d.propose(loop, loop.length, 0, 100)).as("all kept: twice as many").hasSize(8);
        d.checked(8, 8);
        assertThat(d.propose(loop, loop.length, 0, 100)).as("at most " + Drafter.MAX_DRAFT).hasSize(Drafter.MAX_DRAFT);
        d.checked(8, 2);
        assertThat(d.propose(loop, loop.length, 0, 100)).as("two kept: three next").hasSize(3);
        d.checked(3, 0);
        assertThat(d.propose(loop, loop.length, 0, 100)).as("a miss: one decode without").isEmpty();
        assertThat(d.propose(loop, loop.length, 0, 100)).hasSize(1);
        d.checked(1, 0);
        assertThat(d.propose(loop, loop.length, 0, 100)).isEmpty();
        assertThat(d.propose(loop, loop.length, 0, 100)).as("a second miss: two").isEmpty();
        assertThat(d.propose(loop, loop.length, 0, 100)).hasSize(1);
        assertThat(d.drafted).isEqualTo(4 + 8 + 8 + 3 + 1);
        assertThat(d.accepted).isEqualTo(4 + 8 + 2);
    }
}
