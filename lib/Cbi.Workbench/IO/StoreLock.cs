using System.Diagnostics;
using System.Globalization;

namespace Cbi.Workbench.IO;

/// <summary>An exclusive, cross-process lock on a store file, held while a writer reads the file, merges its rows and
/// replaces it, so that two writers never each rewrite the version they read (a lost update: two <c>cbi backtest</c>
/// runs started together left only one's rows in predictions.parquet). The lock is an advisory file lock (.NET takes
/// <c>flock</c> for <see cref="FileShare.None"/> on Unix) on a file named by a hash of the store's full path in the
/// system's temporary folder (cbi-store-locks/), so the artifact folders hold nothing but results; the operating system
/// releases it when the holder exits or is killed, so a dead writer never blocks the next one; a ".owner" file beside it
/// names the holder for the waiting writer's message. Lock files stay in place (deleting one while another writer waits on
/// it would let two writers hold two different files). One machine's writers take turns; writers on several machines
/// sharing a network folder are not covered.</summary>
internal sealed class StoreLock : IDisposable
{
    readonly FileStream stream;
    StoreLock(FileStream stream) => this.stream = stream;

    /// <summary>Takes the lock of <paramref name="path"/>, waiting for another writer up to <paramref name="wait"/>
    /// (default 10 minutes), and says once that it waits and for whom.</summary>
    /// <exception cref="IOException">still held by another writer after the wait (names the holder).</exception>
    internal static StoreLock Acquire(string path, TimeSpan? wait = null)
    {
        var full = Path.GetFullPath(path);
        var dir = Path.Combine(Path.GetTempPath(), "cbi-store-locks");
        Directory.CreateDirectory(dir);
        var lockPath = Path.Combine(dir, Convert.ToHexStringLower(System.Security.Cryptography.SHA256.HashData(System.Text.Encoding.UTF8.GetBytes(full)))[..16] + ".lock");
        var limit = wait ?? TimeSpan.FromMinutes(10);
        var sw = Stopwatch.StartNew();
        var said = false;
        while (true)
        {
            try
            {
                var fs = new FileStream(lockPath, FileMode.OpenOrCreate, FileAccess.ReadWrite, FileShare.None);
                try
                {
                    File.WriteAllText(lockPath + ".owner", string.Create(CultureInfo.InvariantCulture,
                        $"pid {Environment.ProcessId} on {Environment.MachineName} since {DateTime.UtcNow:yyyy-MM-ddTHH:mm:ssZ}"));
                }
                catch (IOException) { /* the owner note is for messages only */ }
                return new StoreLock(fs);
            }
            catch (IOException) when (sw.Elapsed < limit)
            {
                if (!said)
                {
                    Log.Progress($"[store] {Workbench.Relative(path)} is being written by another writer ({Owner(lockPath)}); waiting");
                    said = true;
                }
                Thread.Sleep(50);
            }
            catch (IOException e)
            {
                throw new IOException($"{Workbench.Relative(path)} is still being written by another writer ({Owner(lockPath)}) after {limit.TotalSeconds:F0} s; " +
                                      "nothing was written. Retry when it has finished.", e);
            }
        }
    }

    static string Owner(string lockPath)
    {
        try { return File.ReadAllText(lockPath + ".owner").Trim(); }
        catch (IOException) { return "holder unknown"; }
    }

    public void Dispose() => stream.Dispose();
}
