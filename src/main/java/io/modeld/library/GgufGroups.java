package io.modeld.library;

import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.TreeMap;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * The models among the GGUF files of one folder: the parts of a split model
 * ({@code name-00001-of-00003.gguf}, all present) are one model, and a projector ({@code mmproj} in the
 * name) is attached to the models beside it instead of being a model itself.
 */
final class GgufGroups {

    private static final Pattern SPLIT = Pattern.compile("(.+)-(\\d{5})-of-(\\d{5})\\.gguf", Pattern.CASE_INSENSITIVE);

    /** One model: its files in order and the projector beside it, or null. */
    record Group(List<Path> files, Path projector) {
    }

    private GgufGroups() {
    }

    static boolean isGguf(Path file) {
        return file.getFileName().toString().toLowerCase(Locale.ROOT).endsWith(".gguf");
    }

    /** The models in {@code files}, all GGUF files of one folder, sorted by name. */
    static List<Group> of(List<Path> files, Scan scan) {
        Path projector = null;
        List<Path> singles = new ArrayList<>();
        Map<String, TreeMap<Integer, Path>> splits = new TreeMap<>();
        Map<String, Integer> counts = new TreeMap<>();
        for (Path f : files.stream().sorted().toList()) {
            String name = f.getFileName().toString();
            if (name.toLowerCase(Locale.ROOT).contains("mmproj")) {
                projector = projector == null ? f : projector;
                continue;
            }
            Matcher m = SPLIT.matcher(name);
            if (m.matches()) {
                String key = m.group(1) + "|" + m.group(3);
                splits.computeIfAbsent(key, k -> new TreeMap<>()).put(Integer.parseInt(m.group(2)), f);
                counts.put(key, Integer.parseInt(m.group(3)));
            } else {
                singles.add(f);
            }
        }
        List<Group> groups = new ArrayList<>();
        for (Path f : singles) {
            groups.add(new Group(List.of(f), projector));
        }
        for (Map.Entry<String, TreeMap<Integer, Path>> e : splits.entrySet()) {
            TreeMap<Integer, Path> parts = e.getValue();
            int count = counts.get(e.getKey());
            if (parts.size() != count || parts.firstKey() != 1 || parts.lastKey() != count) {
                Path first = parts.firstEntry().getValue();
                scan.skip(first, parts.keySet().toString(), "a model in " + count + " parts of which only "
                        + parts.size() + " are there");
                continue;
            }
            groups.add(new Group(List.copyOf(parts.values()), projector));
        }
        return groups;
    }
}
