using System.Diagnostics;
using System.Net;
using System.Net.Sockets;
using System.Runtime.InteropServices;
using System.Security.Cryptography;

namespace Cbi.Workbench.Search;

/// <summary>A throw-away PostgreSQL server on loopback for the shared-study tests and the worker benchmark: initdb
/// into a temporary folder, a free port, password authentication (scram-sha-256) for user <c>cbi</c>, stopped and
/// deleted on dispose. Uses Debian's <c>postgresql</c> package (tests/run installs it when missing); as root the server
/// runs as the <c>postgres</c> user, because PostgreSQL refuses to run as root.</summary>
internal sealed partial class LocalPostgres : IDisposable
{
    readonly string dir, data, bin;
    readonly bool asPostgresUser;
    bool disposed;

    /// <summary>The port the server listens on (127.0.0.1).</summary>
    public int Port { get; }
    /// <summary>The superuser's password (random per server).</summary>
    public string Password { get; }
    /// <summary>postgres://cbi:PASSWORD@127.0.0.1:PORT/postgres — contains the password; log <see cref="StudyStorage.Display"/> instead.</summary>
    public string Location => $"postgres://cbi:{Password}@127.0.0.1:{Port}/postgres";
    /// <summary>The same server as an Npgsql connection string (for tests that read the study tables directly).</summary>
    public string ConnectionString => new Npgsql.NpgsqlConnectionStringBuilder
        { Host = "127.0.0.1", Port = Port, Username = "cbi", Password = Password, Database = "postgres" }.ConnectionString;

    LocalPostgres()
    {
        bin = FindBin() ?? throw new InvalidOperationException(
            "PostgreSQL server programs not found (/usr/lib/postgresql/<version>/bin/initdb): install Debian's postgresql package (tests/run does when it is missing).");
        asPostgresUser = geteuid() == 0;
        dir = Directory.CreateTempSubdirectory("cbi-pg-").FullName;
        data = Path.Combine(dir, "data");
        Password = Convert.ToHexString(RandomNumberGenerator.GetBytes(12)).ToLowerInvariant();
        try
        {
            var pw = Path.Combine(dir, "pw");
            File.WriteAllText(pw, Password + "\n");
            if (asPostgresUser) Run("chown", "-R", "postgres:postgres", dir);
            Pg("initdb", "-D", data, "-U", "cbi", "--auth=scram-sha-256", $"--pwfile={pw}", "-E", "UTF8", "--no-sync", "--no-instructions");
            File.Delete(pw);
            Port = FreePort();
            Pg("pg_ctl", "-D", data, "-w", "-t", "60", "-l", Path.Combine(dir, "server.log"), "-o",
                $"-p {Port} -h 127.0.0.1 -k {dir} -c fsync=off -c synchronous_commit=off -c full_page_writes=off", "start");
        }
        catch
        {
            // A half-started server and its folder must not outlive the failure.
            Dispose();
            throw;
        }
    }

    /// <summary>Starts a server (a few seconds).</summary>
    /// <exception cref="InvalidOperationException">the server programs are missing or the server does not start (the message quotes its log).</exception>
    public static LocalPostgres Start() => new();

    static string? FindBin()
    {
        const string root = "/usr/lib/postgresql";
        if (!Directory.Exists(root)) return null;
        return Directory.GetDirectories(root).Select(d => Path.Combine(d, "bin"))
            .Where(b => File.Exists(Path.Combine(b, "initdb")))
            .OrderByDescending(b => int.TryParse(Path.GetFileName(Path.GetDirectoryName(b)), out var v) ? v : 0).FirstOrDefault();
    }

    static int FreePort()
    {
        var l = new TcpListener(IPAddress.Loopback, 0);
        l.Start();
        try { return ((IPEndPoint)l.LocalEndpoint).Port; }
        finally { l.Stop(); }
    }

    void Pg(string program, params string[] args)
    {
        var exe = Path.Combine(bin, program);
        if (asPostgresUser) Run("runuser", ["-u", "postgres", "--", exe, .. args]);
        else Run(exe, args);
    }

    void Run(string exe, params string[] args)
    {
        var psi = new ProcessStartInfo(exe) { RedirectStandardOutput = true, RedirectStandardError = true, UseShellExecute = false };
        foreach (var a in args) psi.ArgumentList.Add(a);
        using var p = Process.Start(psi)!;
        var o = p.StandardOutput.ReadToEndAsync();
        var e = p.StandardError.ReadToEndAsync();
        if (!p.WaitForExit(120_000)) { p.Kill(true); throw new InvalidOperationException($"{Path.GetFileName(exe)} did not finish within 120 s."); }
        if (p.ExitCode != 0)
        {
            var log = Path.Combine(dir, "server.log");
            throw new InvalidOperationException($"{Path.GetFileName(exe)} {string.Join(' ', args.Take(2))} failed ({p.ExitCode}): {e.Result}{o.Result}" +
                (File.Exists(log) ? "\nserver log:\n" + File.ReadAllText(log) : ""));
        }
    }

    [LibraryImport("libc")]
    private static partial uint geteuid();

    /// <summary>Stops the server (immediate shutdown) and deletes its folder.</summary>
    public void Dispose()
    {
        if (disposed) return;
        disposed = true;
        try { Pg("pg_ctl", "-D", data, "-m", "immediate", "-w", "stop"); }
        catch (InvalidOperationException) { /* already stopped; the folder goes anyway */ }
        try { Directory.Delete(dir, recursive: true); } catch (IOException) { } catch (UnauthorizedAccessException) { }
    }
}
