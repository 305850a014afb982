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

    @Test
    void once_the_cost_of_a_longer_decode_is_known_it_proposes_what_pays_or_probes_now_and_then() {
        DecodeCost cpu = new DecodeCost();
        cpu.observe(1, 1_700_000);
        cpu.observe(9, 6_800_000);   // the small model on 2 cores: each token more 0.375 of a decode
        assertThat(cpu.known()).isTrue();
        int[] loop = new int[64];
        for (int i = 0; i < loop.length; i++) {
            loop[i] = i % 16;
        }
        Drafter sure = new Drafter();
        sure.checked(8, 8);
        sure.checked(8, 8);
        assertThat(sure.propose(loop, loop.length, 0, 100, null, cpu)).as("all kept: the longest pays")
                .hasSize(Drafter.MAX_DRAFT);

        Drafter poor = new Drafter();
        poor.checked(4, 1);
        poor.checked(4, 0);
        poor.checked(4, 1);
        assertThat(poor.best(cpu.ratio())).as("a token in three kept does not pay for its decode").isZero();
        int proposals = 0;
        for (int i = 0; i < 2 * Drafter.PROBE; i++) {
            proposals += poor.propose(loop, loop.length, 0, 100, null, cpu).length;
        }
        assertThat(proposals).as("one token a probe, every " + Drafter.PROBE + " decodes").isBetween(1, 2);

        DecodeCost weightBound = new DecodeCost();   // a big model: more tokens cost next to nothing
        weightBound.observe(1, 40_000_000);
        weightBound.observe(9, 41_000_000);
        assertThat(poor.best(weightBound.ratio())).as("the same odds pay where tokens are cheap").isPositive();
    }
}
