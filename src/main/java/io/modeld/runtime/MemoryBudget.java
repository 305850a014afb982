package io.modeld.runtime;

import io.modeld.ModeldException;
import java.util.Collection;
import java.util.Comparator;
import java.util.HashMap;
import java.util.Map;

/**
 * The memory budget of loaded models. Memory in use is, for every loaded model, the larger of its
 * estimate and what its runner really uses (its RSS), plus the estimates of loads in flight (reserved
 * before they start, so two loads never both count on the same free memory). A GPU's memory is counted
 * the same way beside it, per device: the layers placed there ({@link DeviceFit}) and the loads in flight. A load that does not fit
 * evicts the least recently used idle model, then the next, until it does. Everything but the budget
 * itself is read and changed under the scheduler's lock.
 */
final class MemoryBudget {

    private volatile long bytes;
    private final Map<String, Long> reserved = new HashMap<>();
    /** Device memory reserved by loads in flight: by model id, the device and the bytes. */
    private final Map<String, Map.Entry<String, Long>> reservedOnDevice = new HashMap<>();

    MemoryBudget(long bytes) {
        this.bytes = bytes;
    }

    long bytes() {
        return bytes;
    }

    void set(long newBytes) {
        if (newBytes <= 0) {
            throw new IllegalArgumentException("the memory budget must be more than 0");
        }
        bytes = newBytes;
    }

    long used(Collection<Resident> residents) {
        long sum = reserved.values().stream().mapToLong(Long::longValue).sum();
        for (Resident r : residents) {
            sum += r.using();
        }
        return sum;
    }

    /** Whether {@code need} more bytes fit now. */
    boolean fits(long need, Collection<Resident> residents) {
        return bytes - used(residents) >= need;
    }

    void reserve(String id, long need) {
        reserved.put(id, need);
    }

    void unreserve(String id) {
        reserved.remove(id);
        reservedOnDevice.remove(id);
    }

    void reserveOnDevice(String id, String device, long need) {
        reservedOnDevice.put(id, Map.entry(device, need));
    }

    /** The bytes in use on {@code device}: its loaded models' layers and the loads in flight there. */
    long usedOnDevice(String device, Collection<Resident> residents) {
        long sum = reservedOnDevice.values().stream().filter(e -> e.getKey().equals(device))
                .mapToLong(Map.Entry::getValue).sum();
        for (Resident r : residents) {
            if (device.equals(r.placement.device())) {
                sum += r.deviceBytes;
            }
        }
        return sum;
    }

    /** The model to evict for room on {@code device}: the least recently used idle one with layers there; or null. */
    static Resident victimOn(String device, Collection<Resident> residents) {
        return residents.stream().filter(r -> r.active == 0 && device.equals(r.placement.device()))
                .min(Comparator.comparingLong(r -> r.lastUsed)).orElse(null);
    }

    /** The model to evict for room: the least recently used of those no request uses; null when none. */
    static Resident victim(Collection<Resident> residents) {
        return residents.stream().filter(r -> r.active == 0).min(Comparator.comparingLong(r -> r.lastUsed))
                .orElse(null);
    }

    ModeldException insufficient(String name, long need, long used) {
        return new ModeldException(ModeldException.Kind.INSUFFICIENT_STORAGE, "not enough memory to load '" + name
                + "': needs " + need + " bytes, " + Math.max(0, bytes - used) + " available of the " + bytes
                + "-byte budget (--memory-budget)");
    }
}
