package io.modeld.catalog;

import com.fasterxml.jackson.core.JsonProcessingException;
import io.modeld.Json;
import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Collection;
import java.util.List;

/**
 * The models table in {@code <data-dir>/modeld.db} (SQLite, WAL). Every write is one transaction, so a
 * crash leaves either the old state or the new, never half of it. One connection, used under a lock:
 * SQLite serialises writers anyway and reads are served from memory by {@link ModelService}.
 */
public final class ModelStore implements AutoCloseable {

    private final Connection connection;

    private ModelStore(Connection connection) {
        this.connection = connection;
    }

    /** Loads SQLite's native library, the slow part of opening a store; safe to call from any thread. */
    public static void loadNativeLibrary() {
        try {
            org.sqlite.SQLiteJDBCLoader.initialize();
        } catch (Exception e) {
            throw new StoreException("cannot load SQLite's native library: " + e.getMessage(), e);
        }
    }

    /** Opens (creating if needed) the store in {@code dataDir} and brings its schema up to date. */
    public static ModelStore open(Path dataDir) {
        try {
            Files.createDirectories(dataDir);
            // SQLite gives its -wal and -shm files the mode of the database file: one private file keeps all three so.
            io.modeld.config.PrivateFiles.file(dataDir.resolve("modeld.db"));
            ModelStore store = new ModelStore(connect(dataDir));
            store.migrate();
            return store;
        } catch (SQLException | java.io.IOException e) {
            throw new StoreException("cannot open the store in " + dataDir + ": " + e.getMessage(), e);
        }
    }

    /**
     * A connection to the store's file as every part that keeps tables in it opens one (the conversations,
     * the stored responses): WAL, so readers never wait for the writer; synchronous=FULL, so a kill -9 leaves
     * a transaction whole or absent; and a busy timeout, since SQLite serialises the writers of its
     * connections. The tables are the store's: {@link #open} has brought them up to date first.
     */
    public static Connection connect(Path dataDir) throws SQLException {
        Connection c = DriverManager.getConnection("jdbc:sqlite:" + dataDir.resolve("modeld.db"));
        try (Statement s = c.createStatement()) {
            s.execute("PRAGMA journal_mode=WAL");
            s.execute("PRAGMA synchronous=FULL");
            s.execute("PRAGMA busy_timeout=5000");
        }
        return c;
    }

    /** The number of the last migration applied: the {@code schema.migration} of the JSON objects. */
    public int migration() {
        return Migrations.LATEST;
    }

    private synchronized void migrate() throws SQLException {
        int current;
        try (Statement s = connection.createStatement(); ResultSet rs = s.executeQuery("PRAGMA user_version")) {
            current = rs.getInt(1);
        }
        if (current > Migrations.LATEST) {
            throw new StoreException("the store is at migration " + current + " but this modeld knows only "
                    + Migrations.LATEST + ": use a newer modeld or another --data-dir", null);
        }
        for (int step = current; step < Migrations.LATEST; step++) {
            connection.setAutoCommit(false);
            try (Statement s = connection.createStatement()) {
                for (String statement : Migrations.STEPS.get(step).split(";")) {
                    if (!statement.isBlank()) {
                        s.execute(statement);
                    }
                }
                s.execute("PRAGMA user_version = " + (step + 1));
                connection.commit();
            } catch (SQLException e) {
                connection.rollback();
                throw e;
            } finally {
                connection.setAutoCommit(true);
            }
        }
    }

    /** What a chat template (its SHA-256) can do, as llama.cpp's chat layer read it. */
    public record TemplateCheck(String sha256, boolean tools, boolean thinking) {
    }

    /** Every template read so far. */
    public synchronized List<TemplateCheck> templateChecks() {
        List<TemplateCheck> all = new ArrayList<>();
        try (Statement s = connection.createStatement();
             ResultSet rs = s.executeQuery("SELECT sha256, tools, thinking FROM template_checks")) {
            while (rs.next()) {
                all.add(new TemplateCheck(rs.getString(1), rs.getInt(2) != 0, rs.getInt(3) != 0));
            }
        } catch (SQLException e) {
            throw new StoreException("cannot read the template checks: " + e.getMessage(), e);
        }
        return all;
    }

    /** Keeps what a template can do. */
    public synchronized void saveTemplateCheck(TemplateCheck c) {
        try (PreparedStatement up = connection.prepareStatement("INSERT INTO template_checks (sha256, tools, thinking, "
                + "checked) VALUES (?, ?, ?, ?) ON CONFLICT(sha256) DO UPDATE SET tools = excluded.tools, "
                + "thinking = excluded.thinking, checked = excluded.checked")) {
            up.setString(1, c.sha256());
            up.setInt(2, c.tools() ? 1 : 0);
            up.setInt(3, c.thinking() ? 1 : 0);
            up.setString(4, Instant.now().toString());
            up.executeUpdate();
        } catch (SQLException e) {
            throw new StoreException("cannot keep a template check: " + e.getMessage(), e);
        }
    }

    /** Every model in the store. */
    public synchronized List<ModelRecord> loadAll() {
        List<ModelRecord> all = new ArrayList<>();
        try (Statement s = connection.createStatement();
             ResultSet rs = s.executeQuery(
                     "SELECT id, custom, created, spec, downloaded, file_name, file_size, file_sha256, failure, "
                             + "file_origin, file_parts FROM models ORDER BY created, id")) {
            while (rs.next()) {
                ModelRecord.LocalFile file = rs.getInt(5) == 0 ? null
                        : new ModelRecord.LocalFile(rs.getString(6), rs.getLong(7), rs.getString(8), rs.getString(10),
                        Math.max(1, rs.getInt(11)));
                ModelSpec spec = Json.MAPPER.readValue(rs.getString(4), ModelSpec.class);
                all.add(new ModelRecord(rs.getString(1), Instant.parse(rs.getString(3)), rs.getInt(2) != 0,
                        spec, file, rs.getString(9), ModelRecord.InPlace.of(spec)));
            }
            return all;
        } catch (SQLException | JsonProcessingException e) {
            throw new StoreException("cannot read the models: " + e.getMessage(), e);
        }
    }

    /**
     * Writes {@code upserts} and removes {@code deletions} in one transaction. When it fails, the cause
     * is kept (a full disk must be told as such): rolling back and leaving the transaction may fail
     * too once SQLite has ended the transaction itself, as it does on SQLITE_FULL.
     */
    public synchronized void write(Collection<ModelRecord> upserts, Collection<String> deletions) {
        try {
            connection.setAutoCommit(false);
        } catch (SQLException e) {
            throw new StoreException("cannot save the models: " + e.getMessage(), e);
        }
        try (PreparedStatement up = connection.prepareStatement("""
                INSERT INTO models (id, unique_name, custom, created, spec, downloaded, file_name, file_size,
                  file_sha256, failure, file_origin, file_parts)
                VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)
                ON CONFLICT(id) DO UPDATE SET unique_name = excluded.unique_name, spec = excluded.spec,
                  downloaded = excluded.downloaded, file_name = excluded.file_name,
                  file_size = excluded.file_size, file_sha256 = excluded.file_sha256,
                  failure = excluded.failure, file_origin = excluded.file_origin,
                  file_parts = excluded.file_parts""");
             PreparedStatement del = connection.prepareStatement("DELETE FROM models WHERE id = ?")) {
            for (String id : deletions) {
                del.setString(1, id);
                del.executeUpdate();
            }
            for (ModelRecord r : upserts) {
                up.setString(1, r.id());
                up.setString(2, r.spec().unique());
                up.setInt(3, r.custom() ? 1 : 0);
                up.setString(4, r.created().toString());
                up.setString(5, Json.MAPPER.writeValueAsString(r.spec()));
                up.setInt(6, r.downloaded() ? 1 : 0);
                up.setString(7, r.downloaded() ? r.file().name() : null);
                up.setObject(8, r.downloaded() ? r.file().size() : null);
                up.setString(9, r.downloaded() ? r.file().sha256() : null);
                up.setString(10, r.failure());
                up.setString(11, r.downloaded() ? r.file().origin() : null);
                up.setInt(12, r.downloaded() ? r.file().parts() : 1);
                up.executeUpdate();
            }
            connection.commit();
        } catch (SQLException | JsonProcessingException e) {
            quietly(connection::rollback);
            throw new StoreException("cannot save the models: " + e.getMessage(), e);
        } finally {
            quietly(() -> connection.setAutoCommit(true));
        }
    }

    private interface SqlStep {
        void run() throws SQLException;
    }

    /** A step of cleaning up after a failure, whose own failure must not hide the first one. */
    private static void quietly(SqlStep step) {
        try {
            step.run();
        } catch (SQLException ignored) {
            // SQLite already ended the transaction; the connection is usable again.
        }
    }

    @Override
    public synchronized void close() {
        try {
            connection.close();
        } catch (SQLException e) {
            throw new StoreException("cannot close the store: " + e.getMessage(), e);
        }
    }

    /** The store could not be read or written: a disk or file problem, never the client's fault. */
    public static final class StoreException extends RuntimeException {
        public StoreException(String message, Throwable cause) {
            super(message, cause);
        }

        /** Whether SQLite failed because the disk is full (SQLITE_FULL). */
        public boolean diskFull() {
            for (Throwable t = getCause(); t != null; t = t.getCause()) {
                if (t instanceof org.sqlite.SQLiteException e && e.getResultCode() == org.sqlite.SQLiteErrorCode.SQLITE_FULL) {
                    return true;
                }
            }
            return false;
        }
    }
}
