using System.Diagnostics;
using Cbi.Workbench.Search;

namespace Cbi.Workbench.Tests;

/// <summary>Entry point for tests that need a second, killable process (`dotnet exec Cbi.Workbench.Tests.dll
/// &lt;mode&gt; …`). The test host never calls Main; only such tests do.</summary>
public static class ChildProcess
{
    public static int Main(string[] args)
    {
        if (Data.KilledWrites.TryRunChild(args, out var code)) return code;
        if (args.Length is 2 or 3 && args[0] == "study-hang-at-4")
        {
            using var study = Study.Open("killed", KilledStudy.Space, KilledStudy.Options(args.Length == 3 ? args[2] : null), args[1]);
            study.Optimize(t =>
            {
                if (t.Number == 4) { Console.WriteLine("RUNNING 4"); Console.Out.Flush(); Thread.Sleep(Timeout.Infinite); }
                return KilledStudy.Objective(t);
            }, 10);
            return 0;
        }
        Console.Error.WriteLine("usage: Cbi.Workbench.Tests.dll study-hang-at-4 <study.duckdb> [host name]");
        return 2;
    }

    /// <summary>Starts this assembly as a child process in the given mode.</summary>
    internal static Process Start(params string[] args)
    {
        var psi = new ProcessStartInfo("dotnet") { RedirectStandardOutput = true, RedirectStandardError = true, UseShellExecute = false };
        psi.ArgumentList.Add("exec");
        psi.ArgumentList.Add(typeof(ChildProcess).Assembly.Location);
        foreach (var a in args) psi.ArgumentList.Add(a);
        return Process.Start(psi)!;
    }
}

internal static class KilledStudy
{
    internal static readonly SearchSpace Space = SearchSpace.Of(new IntParameter("leaves", 4, 64, Log: true),
        new FloatParameter("lr", 0.01, 0.3, Log: true), new CategoricalParameter("boost", ["gbdt", "dart"]));

    /// <summary>Seed 3, quick heartbeats (0.2 s, grace 1.5 s) so that a test need not wait a minute for a dead
    /// worker's trial to expire; <paramref name="host"/> overrides the recorded host name (null = this machine's).</summary>
    internal static StudyOptions Options(string? host = null)
    {
        var o = new StudyOptions { Seed = 3, Progress = false, HeartbeatInterval = TimeSpan.FromMilliseconds(200), HeartbeatGrace = Grace };
        return host is null ? o : o with { Host = host };
    }

    internal static readonly TimeSpan Grace = TimeSpan.FromSeconds(1.5);

    internal static double Objective(Trial t) =>
        Math.Abs(Math.Log(t.Int("leaves") / 16.0)) + Math.Abs(Math.Log(t.Float("lr") / 0.05)) + (t.Category("boost") == "dart" ? 0.1 : 0);
}
