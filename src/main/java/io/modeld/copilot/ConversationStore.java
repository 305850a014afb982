package io.modeld.copilot;

import io.modeld.catalog.ModelStore;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.time.Instant;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * The conversations and messages tables of {@code <data-dir>/modeld.db}, which {@link ModelStore} creates
 * (migration 5) and keeps at the schema's latest step: a second connection to the same SQLite file (WAL;
 * SQLite serialises the two writers, busy_timeout waits for the other). Every write is one transaction
 * with synchronous=FULL, so a kill -9 leaves a message either stored whole or not at all.
 */
final class ConversationStore implements AutoCloseable {

    private final Connection connection;

    private ConversationStore(Connection connection) {
        this.connection = connection;
    }

    /** Opens the tables in {@code dataDir}, whose store {@link ModelStore#open} has already brought up to date. */
    static ConversationStore open(Path dataDir) {
        try {
            return new ConversationStore(ModelStore.connect(dataDir));
        } catch (SQLException e) {
            throw new ModelStore.StoreException("cannot open the conversations in " + dataDir + ": " + e.getMessage(), e);
        }
    }

    /** Every conversation with its messages' ids (not their texts), in the order they were created. */
    synchronized List<Conversation> loadAll() {
        Map<String, List<String>> messages = new LinkedHashMap<>();
        try (Statement s = connection.createStatement();
             ResultSet rs = s.executeQuery("SELECT id, conversation FROM messages ORDER BY conversation, position")) {
            while (rs.next()) {
                messages.computeIfAbsent(rs.getString(2), k -> new ArrayList<>()).add(rs.getString(1));
            }
        } catch (SQLException e) {
            throw failed("read the messages", e);
        }
        List<Conversation> all = new ArrayList<>();
        try (Statement s = connection.createStatement();
             ResultSet rs = s.executeQuery("SELECT id, name, model, created, updated FROM conversations ORDER BY created, id")) {
            while (rs.next()) {
                all.add(new Conversation(rs.getString(1), rs.getString(2), rs.getString(3), Instant.parse(rs.getString(4)),
                        Instant.parse(rs.getString(5)), messages.getOrDefault(rs.getString(1), List.of())));
            }
        } catch (SQLException e) {
            throw failed("read the conversations", e);
        }
        return all;
    }

    /** The characters of every message's text together. */
    synchronized long totalText() {
        try (Statement s = connection.createStatement();
             ResultSet rs = s.executeQuery("SELECT COALESCE(SUM(LENGTH(text)), 0) FROM messages")) {
            return rs.next() ? rs.getLong(1) : 0;
        } catch (SQLException e) {
            throw failed("read the messages", e);
        }
    }

    private static final String MESSAGE = "SELECT id, conversation, position, role, text, model, created, updated "
            + "FROM messages ";

    /** The message with this id, its text read now; null when there is none. */
    synchronized Message message(String id) {
        List<Message> found = messages(MESSAGE + "WHERE id = ?", id);
        return found.isEmpty() ? null : found.get(0);
    }

    /** The messages of a conversation in order, their texts read now. */
    synchronized List<Message> messagesOf(String conversation) {
        return messages(MESSAGE + "WHERE conversation = ? ORDER BY position", conversation);
    }

    private List<Message> messages(String sql, String key) {
        List<Message> out = new ArrayList<>();
        try (PreparedStatement q = connection.prepareStatement(sql)) {
            q.setString(1, key);
            try (ResultSet rs = q.executeQuery()) {
                while (rs.next()) {
                    out.add(new Message(rs.getString(1), rs.getString(2), rs.getInt(3), Role.valueOf(rs.getString(4)),
                            rs.getString(5), rs.getString(6), Instant.parse(rs.getString(7)),
                            Instant.parse(rs.getString(8))));
                }
            }
        } catch (SQLException e) {
            throw failed("read the messages", e);
        }
        return out;
    }

    /** Writes the conversation's own row and, when given, one new message of it, in one transaction. */
    synchronized void save(Conversation c, Message added) {
        transaction("save the conversation", () -> {
            try (PreparedStatement up = connection.prepareStatement("""
                    INSERT INTO conversations (id, name, model, created, updated) VALUES (?, ?, ?, ?, ?)
                    ON CONFLICT(id) DO UPDATE SET name = excluded.name, model = excluded.model,
                      updated = excluded.updated""")) {
                up.setString(1, c.id());
                up.setString(2, c.name());
                up.setString(3, c.model());
                up.setString(4, c.created().toString());
                up.setString(5, c.updated().toString());
                up.executeUpdate();
            }
            if (added != null) {
                try (PreparedStatement in = connection.prepareStatement("INSERT INTO messages (id, conversation, "
                        + "position, role, text, model, created, updated) VALUES (?, ?, ?, ?, ?, ?, ?, ?)")) {
                    in.setString(1, added.id());
                    in.setString(2, added.conversation());
                    in.setInt(3, added.position());
                    in.setString(4, added.role().name());
                    in.setString(5, added.text());
                    in.setString(6, added.model());
                    in.setString(7, added.created().toString());
                    in.setString(8, added.updated().toString());
                    in.executeUpdate();
                }
            }
        });
    }

    /** Removes the conversation and its messages, in one transaction. */
    synchronized void delete(String id) {
        transaction("delete the conversation", () -> {
            for (String sql : List.of("DELETE FROM messages WHERE conversation = ?", "DELETE FROM conversations WHERE id = ?")) {
                try (PreparedStatement del = connection.prepareStatement(sql)) {
                    del.setString(1, id);
                    del.executeUpdate();
                }
            }
        });
    }

    private interface SqlWork {
        void run() throws SQLException;
    }

    private void transaction(String what, SqlWork work) {
        try {
            connection.setAutoCommit(false);
            try {
                work.run();
                connection.commit();
            } catch (SQLException e) {
                try {
                    connection.rollback();
                } catch (SQLException ignored) {
                    // SQLite already ended the transaction (a full disk); the first failure is the one to tell
                }
                throw e;
            } finally {
                connection.setAutoCommit(true);
            }
        } catch (SQLException e) {
            throw failed(what, e);
        }
    }

    private static ModelStore.StoreException failed(String what, SQLException e) {
        return new ModelStore.StoreException("cannot " + what + ": " + e.getMessage(), e);
    }

    @Override
    public synchronized void close() {
        try {
            connection.close();
        } catch (SQLException e) {
            throw failed("close the conversations", e);
        }
    }
}
