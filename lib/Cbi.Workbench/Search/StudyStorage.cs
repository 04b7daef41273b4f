using System.Data.Common;
using System.Text.RegularExpressions;
using DuckDB.NET.Data;
using Npgsql;

namespace Cbi.Workbench.Search;

/// <summary>Where a study's tables live: a DuckDB file (one process at a time; the default) or a PostgreSQL database
/// that many workers on many machines share. One set of statements serves both: they are written in the subset the two
/// engines accept (ON CONFLICT, FILTER, explicit GROUP BY), with DuckDB's <c>$name</c> parameters, which
/// <see cref="Sql"/> spells as <c>@name</c> for Npgsql; only the DDL's types and the claim lock differ.</summary>
internal abstract class StudyStorage
{
    /// <summary>The location as given, with any password removed: safe for logs, messages and artifacts.</summary>
    public abstract string Display { get; }
    /// <summary>True when the location already holds a database (a DuckDB file that exists; a server is assumed to).</summary>
    public abstract bool Exists { get; }
    /// <summary>An open connection; failures become <see cref="StudyStorageException"/> naming <see cref="Display"/>.</summary>
    public abstract DbConnection Connect(bool readOnly);
    /// <summary>The study tables, created when missing; idempotent, and safe when several workers run it at once.</summary>
    public abstract string Schema { get; }
    /// <summary>Run first in a claim transaction: serialises claims of one study across processes (null: the store admits
    /// one process, whose claims the study's own lock serialises).</summary>
    public virtual string? ClaimLock => null;
    /// <summary>A statement in this engine's parameter syntax.</summary>
    public virtual string Sql(string sql) => sql;
    /// <summary>A parameter for this engine's commands (null → DBNull).</summary>
    public abstract DbParameter Parameter(string name, object? value);
    /// <summary>Prepares a folder or similar before the first connection (DuckDB: the file's folder).</summary>
    public virtual void Prepare() { }

    /// <summary>Parses a study location: <c>postgres://user[:password]@host[:port]/database[?sslmode=…]</c> (also
    /// <c>postgresql://</c>; a password left out is taken from PGPASSWORD or ~/.pgpass by Npgsql), <see cref="Study.InMemory"/>,
    /// or a DuckDB file path.</summary>
    /// <exception cref="ArgumentException">a postgres URI without host or database, or with an unknown query option.</exception>
    public static StudyStorage Parse(string location)
    {
        ArgumentException.ThrowIfNullOrWhiteSpace(location);
        return IsPostgres(location) ? new PostgresStudyStorage(location) : new DuckDbStudyStorage(location);
    }

    /// <summary>A PostgreSQL location split into the location without its password and the password (null when it has
    /// none), so that a child process gets the password through PGPASSWORD (which Npgsql reads) instead of its command
    /// line, where <c>ps</c> would show it. Any other location is returned as it is.</summary>
    public static (string Location, string? Password) SplitPassword(string location)
    {
        if (!IsPostgres(location) || !Uri.TryCreate(location, UriKind.Absolute, out var u)) return (location, null);
        var user = u.UserInfo.Split(':', 2);
        if (user.Length < 2) return (location, null);
        var at = location.LastIndexOf('@');
        return ($"{location[..(location.IndexOf("://", StringComparison.Ordinal) + 3)]}{user[0]}{location[at..]}", Uri.UnescapeDataString(user[1]));
    }

    /// <summary>Refuses a study location typed on a command line that is none of the kinds it could mean, before anything
    /// is created there: <see cref="Parse"/> takes any other text as a DuckDB file name, so a mistyped URI
    /// (<c>--storage notaurl</c>) became a new local study named <c>notaurl</c> that one worker ran alone, exit 0.
    /// Accepted: a postgres:// or postgresql:// URI, an existing file, or a new file whose name ends in <c>.duckdb</c>.</summary>
    /// <param name="location">The location as given.</param>
    /// <param name="option">The command-line option it came from, for the message (e.g. "--storage").</param>
    /// <exception cref="ArgumentException">the location is blank, or neither a PostgreSQL URI nor an existing file nor a
    /// path ending in .duckdb; the message names the option and the location.</exception>
    public static void CheckLocation(string location, string option)
    {
        if (string.IsNullOrWhiteSpace(location)) throw new ArgumentException($"{option} is empty: give postgres://user@host:port/database or a study file.");
        if (IsPostgres(location) || File.Exists(location)) return;
        if (location.EndsWith(".duckdb", StringComparison.OrdinalIgnoreCase) && !Directory.Exists(location)) return;
        throw new ArgumentException($"{option} {location}: neither a PostgreSQL URI (postgres://user@host:port/database) nor an existing study file; " +
                                    "to create a new local study give a path ending in .duckdb.");
    }

    /// <summary>True for a location <see cref="Parse"/> reads as PostgreSQL (a postgres:// or postgresql:// URI; not validated here).</summary>
    public static bool IsPostgres(string location) =>
        location.StartsWith("postgres://", StringComparison.OrdinalIgnoreCase) || location.StartsWith("postgresql://", StringComparison.OrdinalIgnoreCase);
}

/// <summary>A study store that cannot be reached or refused the credentials; the message names the location (never the password).</summary>
public sealed class StudyStorageException(string message, Exception? inner = null) : Exception(message, inner);

sealed class DuckDbStudyStorage(string path) : StudyStorage
{
    public override string Display => path;
    // An in-memory database holds nothing another connection could list.
    public override bool Exists => path != Study.InMemory && File.Exists(path);
    public override void Prepare()
    {
        if (path != Study.InMemory) Directory.CreateDirectory(Path.GetDirectoryName(Path.GetFullPath(path))!);
    }
    public override DbConnection Connect(bool readOnly)
    {
        var c = new DuckDBConnection(readOnly ? $"Data Source={path};ACCESS_MODE=READ_ONLY" : $"Data Source={path}");
        try { c.Open(); return c; }
        catch (DuckDBException e)
        {
            c.Dispose();
            // The common case: another process holds the file's write lock.
            throw new StudyStorageException($"study database {path} cannot be opened: {e.Message}" +
                (e.Message.Contains("lock", StringComparison.OrdinalIgnoreCase)
                    ? " — a DuckDB study admits one process at a time; share a study between workers through PostgreSQL (--storage postgres://…)." : ""), e);
        }
    }
    public override DbParameter Parameter(string name, object? value) => new DuckDBParameter(name, value ?? DBNull.Value);
    public override string Schema => """
        CREATE TABLE IF NOT EXISTS studies(study VARCHAR PRIMARY KEY, space_json VARCHAR NOT NULL, sampler VARCHAR,
            seed INTEGER, created_utc TIMESTAMP);
        CREATE TABLE IF NOT EXISTS trials(study VARCHAR, number INTEGER, state VARCHAR NOT NULL, value DOUBLE,
            started_utc TIMESTAMP NOT NULL, finished_utc TIMESTAMP, owner VARCHAR, message VARCHAR, PRIMARY KEY(study, number));
        CREATE TABLE IF NOT EXISTS trial_params(study VARCHAR, number INTEGER, name VARCHAR, value DOUBLE, label VARCHAR,
            PRIMARY KEY(study, number, name));
        CREATE TABLE IF NOT EXISTS trial_values(study VARCHAR, number INTEGER, step INTEGER, value DOUBLE,
            PRIMARY KEY(study, number, step));
        ALTER TABLE trials ADD COLUMN IF NOT EXISTS heartbeat_utc TIMESTAMP;
        ALTER TABLE trials ADD COLUMN IF NOT EXISTS retry_of INTEGER;
        ALTER TABLE trials ADD COLUMN IF NOT EXISTS duplicate_of INTEGER;
        ALTER TABLE studies ADD COLUMN IF NOT EXISTS task_json VARCHAR;
        """;
}

sealed partial class PostgresStudyStorage : StudyStorage
{
    readonly string connectionString;

    public PostgresStudyStorage(string uri)
    {
        if (!Uri.TryCreate(uri, UriKind.Absolute, out var u) || string.IsNullOrEmpty(u.Host))
            throw new ArgumentException($"'{Redact(uri)}' is not a postgres://user@host:port/database location.", nameof(uri));
        var database = Uri.UnescapeDataString(u.AbsolutePath.Trim('/'));
        if (database.Length == 0) throw new ArgumentException($"'{Redact(uri)}' names no database (postgres://user@host:port/DATABASE).", nameof(uri));
        var b = new NpgsqlConnectionStringBuilder { Host = u.Host, Port = u.IsDefaultPort || u.Port < 0 ? 5432 : u.Port, Database = database,
            // Claims and heartbeats are short statements; a dead server should fail a worker within seconds, not minutes.
            Timeout = 10, CommandTimeout = 60, Pooling = false, ApplicationName = "cbi-study" };
        var user = u.UserInfo.Split(':', 2);
        if (user[0].Length > 0) b.Username = Uri.UnescapeDataString(user[0]);
        if (user.Length == 2) b.Password = Uri.UnescapeDataString(user[1]);
        foreach (var kv in u.Query.TrimStart('?').Split('&', StringSplitOptions.RemoveEmptyEntries))
        {
            var (k, v) = kv.Split('=', 2) is [var a, var c] ? (a, Uri.UnescapeDataString(c)) : (kv, "");
            if (k == "sslmode")
                // libpq spells them disable, allow, prefer, require, verify-ca, verify-full.
                b.SslMode = Enum.TryParse<SslMode>(v.Replace("-", ""), ignoreCase: true, out var mode) ? mode
                    : throw new ArgumentException($"'{Redact(uri)}': sslmode '{v}' is not one of disable, allow, prefer, require, verify-ca, verify-full.", nameof(uri));
            else throw new ArgumentException($"'{Redact(uri)}': unknown option '{k}' (known: sslmode).", nameof(uri));
        }
        connectionString = b.ConnectionString;
        Display = $"postgres://{(b.Username is { } n ? Uri.EscapeDataString(n) + "@" : "")}{b.Host}:{b.Port}/{b.Database}";
    }

    static string Redact(string uri) => PasswordPart().Replace(uri, "$1:***@");

    // Up to the last '@': a password may itself hold an unescaped '@'.
    [GeneratedRegex(@"^(postgres(?:ql)?://[^:/@]*):.*@", RegexOptions.IgnoreCase)]
    private static partial Regex PasswordPart();

    [GeneratedRegex(@"\$(\w+)")]
    private static partial Regex DollarParameter();

    public override string Display { get; }
    public override bool Exists => true;
    public override string Sql(string sql) => DollarParameter().Replace(sql, "@$1");
    public override DbParameter Parameter(string name, object? value) => new NpgsqlParameter(name, value ?? DBNull.Value);
    public override string ClaimLock => "SELECT study FROM studies WHERE study = $s FOR UPDATE";

    public override DbConnection Connect(bool readOnly)
    {
        var cs = readOnly ? connectionString + ";Options=-c default_transaction_read_only=on" : connectionString;
        var c = new NpgsqlConnection(cs);
        try { c.Open(); return c; }
        catch (PostgresException e) when (e.SqlState is "28P01" or "28000")
        {
            c.Dispose();
            throw new StudyStorageException($"study database {Display}: the server refused the credentials ({e.SqlState}: {e.MessageText}); " +
                "check the user and password of --storage (or PGPASSWORD / ~/.pgpass).", e);
        }
        catch (PostgresException e) when (e.SqlState == "3D000")
        {
            c.Dispose();
            throw new StudyStorageException($"study database {Display}: {e.MessageText} (create it with `createdb`, or name an existing database).", e);
        }
        catch (Exception e) when (e is NpgsqlException or TimeoutException or System.Net.Sockets.SocketException)
        {
            c.Dispose();
            throw new StudyStorageException($"study database {Display} is unreachable: {e.Message}{(e.InnerException is { } i ? " (" + i.Message + ")" : "")}.", e);
        }
    }

    // An advisory lock serialises the DDL: CREATE TABLE IF NOT EXISTS run by several workers at once can otherwise
    // collide in PostgreSQL's catalogue (a unique violation on pg_type).
    public override string Schema => """
        SELECT pg_advisory_xact_lock(4242016);
        CREATE TABLE IF NOT EXISTS studies(study VARCHAR PRIMARY KEY, space_json VARCHAR NOT NULL, sampler VARCHAR,
            seed INTEGER, created_utc TIMESTAMPTZ, task_json VARCHAR);
        CREATE TABLE IF NOT EXISTS trials(study VARCHAR, number INTEGER, state VARCHAR NOT NULL, value DOUBLE PRECISION,
            started_utc TIMESTAMPTZ NOT NULL, finished_utc TIMESTAMPTZ, owner VARCHAR, message VARCHAR,
            heartbeat_utc TIMESTAMPTZ, retry_of INTEGER, PRIMARY KEY(study, number));
        CREATE TABLE IF NOT EXISTS trial_params(study VARCHAR, number INTEGER, name VARCHAR, value DOUBLE PRECISION, label VARCHAR,
            PRIMARY KEY(study, number, name));
        CREATE TABLE IF NOT EXISTS trial_values(study VARCHAR, number INTEGER, step INTEGER, value DOUBLE PRECISION,
            PRIMARY KEY(study, number, step));
        ALTER TABLE trials ADD COLUMN IF NOT EXISTS duplicate_of INTEGER;
        """;
}
