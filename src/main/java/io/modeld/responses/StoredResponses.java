package io.modeld.responses;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.modeld.Json;
import io.modeld.ModeldException;
import io.modeld.catalog.ModelStore;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.time.Instant;

/**
 * The responses table of {@code <data-dir>/modeld.db} (migration 7; {@link ModelStore} creates it): a second
 * connection to the file, one transaction a write with synchronous=FULL, as the conversations are kept.
 * Bounded: a response and its input at most {@value #MAX_BYTES} characters together, at most
 * {@value #MAX_RESPONSES} kept and {@value #MAX_TOTAL} characters in all (the oldest go first), so a client that
 * stores every turn (OpenAI's default) cannot fill a disk.
 */
public final class StoredResponses implements AutoCloseable {

    /** A stored response with its input: an agent's whole history, which it resends anyway, fits. */
    static final int MAX_BYTES = 16 << 20;
    /** Responses kept at most; the oldest are deleted past it. */
    static final int MAX_RESPONSES = 10_000;
    /** Characters kept in all, inputs and responses; the oldest are deleted past it. */
    static final long MAX_TOTAL = 1L << 30;

    /** A response and the items it was asked with (its history from earlier responses first). */
    public record Stored(ArrayNode input, ObjectNode response) {
    }

    private final Connection connection;
    private final int maxResponses;
    private final long maxTotal;

    StoredResponses(Connection connection, int maxResponses, long maxTotal) {
        this.connection = connection;
        this.maxResponses = maxResponses;
        this.maxTotal = maxTotal;
    }

    /** Opens the table in {@code dataDir}, whose store {@link ModelStore#open} has already brought up to date. */
    public static StoredResponses open(Path dataDir) {
        try {
            return new StoredResponses(ModelStore.connect(dataDir), MAX_RESPONSES, MAX_TOTAL);
        } catch (SQLException e) {
            throw new ModelStore.StoreException("cannot open the stored responses in " + dataDir + ": " + e.getMessage(), e);
        }
    }

    /** Keeps a response with its input; refused (nothing kept) past {@value #MAX_BYTES} bytes. */
    public synchronized void put(ArrayNode input, ObjectNode response) {
        String in = input.toString();
        String out = response.toString();
        if ((long) in.length() + out.length() > MAX_BYTES) {
            throw ModeldException.invalid("store: the response and its input are " + (in.length() + out.length())
                    + " characters, more than the " + MAX_BYTES + " a stored response may hold; send store: false");
        }
        try (PreparedStatement insert = connection.prepareStatement(
                "INSERT INTO responses (id, created, input, response) VALUES (?, ?, ?, ?)");
             PreparedStatement trim = connection.prepareStatement("DELETE FROM responses WHERE id IN (SELECT id FROM "
                     + "responses ORDER BY created DESC, id DESC LIMIT -1 OFFSET ?)");
             PreparedStatement trimBytes = connection.prepareStatement("DELETE FROM responses WHERE id IN (SELECT id FROM "
                     + "(SELECT id, SUM(LENGTH(input) + LENGTH(response)) OVER (ORDER BY created DESC, id DESC) AS kept "
                     + "FROM responses) WHERE kept > ?)")) {
            connection.setAutoCommit(false);
            insert.setString(1, response.get("id").asText());
            insert.setString(2, Instant.now().toString());
            insert.setString(3, in);
            insert.setString(4, out);
            insert.executeUpdate();
            trim.setInt(1, maxResponses);
            trim.executeUpdate();
            trimBytes.setLong(1, maxTotal);
            trimBytes.executeUpdate();
            connection.commit();
        } catch (SQLException e) {
            rollback();
            throw new ModelStore.StoreException("cannot store the response: " + e.getMessage(), e);
        } finally {
            autoCommit();
        }
    }

    /** The response of that id; UNKNOWN_MODEL-like NOT_FOUND when none is kept. */
    public synchronized Stored get(String id) {
        try (PreparedStatement q = connection.prepareStatement("SELECT input, response FROM responses WHERE id = ?")) {
            q.setString(1, id);
            try (ResultSet rs = q.executeQuery()) {
                if (!rs.next()) {
                    throw new ModeldException(ModeldException.Kind.NOT_FOUND, "no stored response '" + id + "' (a "
                            + "response is kept only when its request did not say store: false)");
                }
                return new Stored((ArrayNode) Json.MAPPER.readTree(rs.getString(1)),
                        (ObjectNode) Json.MAPPER.readTree(rs.getString(2)));
            }
        } catch (SQLException | JsonProcessingException e) {
            throw new ModelStore.StoreException("cannot read the response: " + e.getMessage(), e);
        }
    }

    /** Deletes the response; NOT_FOUND when none is kept. */
    public synchronized void delete(String id) {
        try (PreparedStatement d = connection.prepareStatement("DELETE FROM responses WHERE id = ?")) {
            d.setString(1, id);
            if (d.executeUpdate() == 0) {
                throw new ModeldException(ModeldException.Kind.NOT_FOUND, "no stored response '" + id + "'");
            }
        } catch (SQLException e) {
            throw new ModelStore.StoreException("cannot delete the response: " + e.getMessage(), e);
        }
    }

    private void rollback() {
        try {
            connection.rollback();
        } catch (SQLException ignored) {
            // the transaction failed already; the connection stays usable
        }
    }

    private void autoCommit() {
        try {
            connection.setAutoCommit(true);
        } catch (SQLException ignored) {
            // next write reports it
        }
    }

    @Override
    public synchronized void close() {
        try {
            connection.close();
        } catch (SQLException ignored) {
            // closing at shutdown
        }
    }
}
