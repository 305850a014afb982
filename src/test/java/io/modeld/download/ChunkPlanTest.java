package io.modeld.download;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;

class ChunkPlanTest {

    @Test
    void hands_out_chunks_lowest_offset_first_and_covers_the_file() {
        long size = 100L << 20;
        ChunkPlan plan = ChunkPlan.fresh(size, 4);
        List<ChunkPlan.Chunk> taken = new ArrayList<>();
        long expectedStart = 0;
        ChunkPlan.Chunk c;
        while ((c = plan.next()) != null && taken.size() < 1000) {
            if (c.start < expectedStart) {
                break; // a split of an unfinished chunk: every chunk is handed out once before
            }
            assertThat(c.start).isEqualTo(expectedStart);
            expectedStart = c.end;
            taken.add(c);
        }
        assertThat(expectedStart).isEqualTo(size);
        assertThat(taken.get(0).end - taken.get(0).start).isEqualTo(size / 32);
    }

    @Test
    void contiguous_follows_the_completed_prefix() {
        ChunkPlan plan = ChunkPlan.fresh(8L << 20, 1);
        ChunkPlan.Chunk first = plan.next();
        ChunkPlan.Chunk second = plan.next();
        plan.written(second, second.end - second.start);
        assertThat(plan.contiguous()).isZero();
        plan.written(first, 1000);
        assertThat(plan.contiguous()).isEqualTo(1000);
        plan.written(first, first.end - first.start - 1000);
        assertThat(plan.contiguous()).isEqualTo(second.end);
        assertThat(plan.downloaded()).isEqualTo(second.end);
    }

    @Test
    void small_chunks_are_never_split() {
        ChunkPlan plan = ChunkPlan.fresh(16L << 20, 1);
        int handedOut = 0;
        while (plan.next() != null) {
            handedOut++;
        }
        assertThat(handedOut).isEqualTo(8);
    }

    @Test
    void a_free_connection_takes_the_far_half_of_the_widest_unfinished_chunk() {
        ChunkPlan plan = ChunkPlan.fresh(256L << 20, 1);
        List<ChunkPlan.Chunk> all = new ArrayList<>();
        ChunkPlan.Chunk c;
        while ((c = plan.next()) != null && c.start >= (all.isEmpty() ? 0 : all.get(all.size() - 1).end)) {
            all.add(c);
        }
        // Everything was handed out, so the last next() split a chunk instead.
        ChunkPlan.Chunk tail = c;
        ChunkPlan.Chunk owner = all.stream().filter(x -> x.end == tail.start).findFirst().orElseThrow();
        assertThat(tail.start - owner.position()).isGreaterThanOrEqualTo(ChunkPlan.MIN_SPLIT);
        assertThat(plan.remaining(owner)).isEqualTo(tail.start - owner.position());
        for (ChunkPlan.Chunk x : all) {
            plan.written(x, plan.remaining(x));
        }
        plan.written(tail, plan.remaining(tail));
        assertThat(plan.complete()).isTrue();
        assertThat(plan.downloaded()).isEqualTo(256L << 20);
    }

    @Test
    void a_saved_plan_resumes_and_a_foreign_one_is_refused() {
        ChunkPlan plan = ChunkPlan.fresh(4L << 20, 2);
        ChunkPlan.Chunk first = plan.next();
        plan.written(first, 12345);
        ChunkPlan resumed = ChunkPlan.resumed(4L << 20, plan.save());
        assertThat(resumed).isNotNull();
        assertThat(resumed.downloaded()).isEqualTo(12345);
        assertThat(resumed.next().position()).isEqualTo(12345);
        assertThat(ChunkPlan.resumed(5L << 20, plan.save())).isNull();
        assertThat(ChunkPlan.resumed(4L << 20, List.of(new ChunkPlan.Saved(0, 10, 11)))).isNull();
    }
}
