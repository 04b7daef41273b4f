using Cbi.Workbench.IO;
using System.Data.Common;
using System.Diagnostics;
using System.Globalization;

namespace Cbi.Workbench.Search;

/// <summary>State of a stored trial (stored as RUNNING, COMPLETE, PRUNED, FAIL).</summary>
public enum TrialState
{
    /// <summary>Started and not finished (or its worker died: a trial whose heartbeat is older than
    /// <see cref="StudyOptions.HeartbeatGrace"/> is marked FAIL by the next worker that looks).</summary>
    Running,
    /// <summary>Finished with a finite objective value; counts toward the budget.</summary>
    Complete,
    /// <summary>Stopped early by the pruner; counts toward the budget, value NaN.</summary>
    Pruned,
    /// <summary>The objective threw or returned a non-finite value, or the worker died. Its parameters are tried once
    /// more (a trial with <see cref="TrialRecord.RetryOf"/> set); a failure whose retry failed too counts toward the budget.</summary>
    Fail
}

/// <summary>A trial as stored: parameter values (categories as indexes; <see cref="Labels"/> spells them),
/// objective value (NaN unless complete), intermediate values by step, state and timings.</summary>
/// <param name="Number">Trial number within the study, 0-based, in start order.</param>
/// <param name="State">The trial's state.</param>
/// <param name="Value">Objective value (minimised); NaN unless <see cref="TrialState.Complete"/>.</param>
/// <param name="Params">Parameter name → value (a category as its index).</param>
/// <param name="Labels">Parameter name → value as text (<see cref="Parameter.Label"/>).</param>
/// <param name="Intermediate">Step → intermediate value reported through <see cref="Trial.Report"/>.</param>
/// <param name="StartedUtc">Start time, UTC.</param>
/// <param name="FinishedUtc">End time, UTC; null while running. For a trial whose worker died it is the worker's last
/// heartbeat, so <see cref="Seconds"/> is the time the trial itself ran, not the time until someone noticed.</param>
/// <param name="Message">Why it was pruned or failed, or which trial's value it re-used; null otherwise.</param>
public sealed record TrialRecord(int Number, TrialState State, double Value, IReadOnlyDictionary<string, double> Params,
    IReadOnlyDictionary<string, string> Labels, IReadOnlyDictionary<int, double> Intermediate,
    DateTime StartedUtc, DateTime? FinishedUtc, string? Message)
{
    /// <summary>Wall-clock duration in seconds; NaN while unfinished.</summary>
    public double Seconds => FinishedUtc is { } f ? (f - StartedUtc).TotalSeconds : double.NaN;

    /// <summary>The number of the failed trial whose parameters this trial tries again; null for a fresh proposal.</summary>
    public int? RetryOf { get; init; }

    /// <summary>The earlier COMPLETE or PRUNED trial at exactly this point, when the sampler kept proposing an evaluated
    /// point (see <see cref="Study.Optimize"/>): this trial took that trial's state and value without running the
    /// objective. Null for a trial that was evaluated.</summary>
    public int? DuplicateOf { get; init; }
}

/// <summary>Thrown by an objective (usually through <see cref="Trial.PruneIfNeeded"/>) to end a trial as PRUNED.</summary>
/// <param name="step">The step at which the trial was pruned.</param>
public sealed class TrialPrunedException(int step) : Exception($"trial pruned at step {step}")
{
    /// <summary>The step at which the trial was pruned.</summary>
    public int Step { get; } = step;
}

/// <summary>The running trial handed to an objective: its parameters and a channel for intermediate values.</summary>
public sealed class Trial
{
    readonly Study study;
    readonly Dictionary<int, double> intermediate = [];
    internal Trial(Study study, int number, IReadOnlyDictionary<string, double> values, DateTime started)
    { this.study = study; Number = number; Values = values; Started = started; }

    /// <summary>Trial number within the study, 0-based.</summary>
    public int Number { get; }
    /// <summary>Parameter name → proposed value (a category as its index); prefer <see cref="Int"/>, <see cref="Float"/>, <see cref="Category"/>.</summary>
    public IReadOnlyDictionary<string, double> Values { get; }
    internal DateTime Started { get; }
    internal IReadOnlyDictionary<int, double> Intermediate => intermediate;

    /// <summary>The value of an integer parameter.</summary>
    /// <param name="name">Parameter name.</param>
    /// <exception cref="KeyNotFoundException">No such parameter.</exception>
    /// <exception cref="ArgumentException">It is not an <see cref="IntParameter"/>.</exception>
    public int Int(string name) => study.Space[name] is IntParameter ? (int)Values[name] : throw new ArgumentException($"'{name}' is not an integer parameter.");
    /// <summary>The value of a float parameter.</summary>
    /// <param name="name">Parameter name.</param>
    /// <exception cref="KeyNotFoundException">No such parameter.</exception>
    /// <exception cref="ArgumentException">It is not a <see cref="FloatParameter"/>.</exception>
    public double Float(string name) => study.Space[name] is FloatParameter ? Values[name] : throw new ArgumentException($"'{name}' is not a float parameter.");
    /// <summary>The chosen name of a categorical parameter.</summary>
    /// <param name="name">Parameter name.</param>
    /// <exception cref="KeyNotFoundException">No such parameter.</exception>
    /// <exception cref="ArgumentException">It is not a <see cref="CategoricalParameter"/>.</exception>
    public string Category(string name) => study.Space[name] is CategoricalParameter c ? c.Choices[(int)Values[name]] : throw new ArgumentException($"'{name}' is not a categorical parameter.");

    /// <summary>Records (and immediately stores) an intermediate objective value at a step.</summary>
    /// <param name="step">Step number (e.g. fold index); reporting a step again replaces its value.</param>
    /// <param name="value">Intermediate objective value (lower is better).</param>
    public void Report(int step, double value)
    {
        intermediate[step] = value;
        study.StoreIntermediate(Number, step, value);
        LastStep = step;
    }

    internal int LastStep { get; private set; } = -1;

    /// <summary>Asks the study's pruner about the last reported step; false before any <see cref="Report"/>.</summary>
    public bool ShouldPrune() => LastStep >= 0 && study.Pruner.ShouldPrune(study.AsRecord(this), LastStep, study.Finished());

    /// <summary>Throws <see cref="TrialPrunedException"/> when <see cref="ShouldPrune"/> is true; call it after <see cref="Report"/>.</summary>
    /// <exception cref="TrialPrunedException">The pruner says stop.</exception>
    public void PruneIfNeeded() { if (ShouldPrune()) throw new TrialPrunedException(LastStep); }
}

/// <summary>Settings of a study; the seed makes a fresh study reproducible trial for trial.</summary>
public sealed record StudyOptions
{
    /// <summary>Proposes the parameters (default <see cref="TpeSampler"/> with default options).</summary>
    public ISampler Sampler { get; init; } = new TpeSampler();
    /// <summary>Stops poor trials early (default <see cref="NoPruner"/>).</summary>
    public IPruner Pruner { get; init; } = new NoPruner();
    /// <summary>Random seed (default 42); each trial's generator is derived from it and the trial number.</summary>
    public int Seed { get; init; } = 42;
    /// <summary>Write a line per trial to <see cref="IO.Log.Writer"/> (standard error by default).</summary>
    public bool Progress { get; init; } = true;
    /// <summary>The run stops with <see cref="InvalidOperationException"/> once this many trials in a row have failed
    /// (default 10; ≥ 1): an objective that always fails would otherwise only burn the budget.</summary>
    public int MaxConsecutiveFailures { get; init; } = 10;
    /// <summary>How often a running trial stores a heartbeat (default 10 s; &gt; 0).</summary>
    public TimeSpan HeartbeatInterval { get; init; } = TimeSpan.FromSeconds(10);
    /// <summary>A RUNNING trial whose last heartbeat is older than this is taken as abandoned and marked FAIL, whatever
    /// host or process owns it (default 60 s; must exceed <see cref="HeartbeatInterval"/>).</summary>
    public TimeSpan HeartbeatGrace { get; init; } = TimeSpan.FromSeconds(60);
    /// <summary>The host name recorded as the owner of this worker's trials (default <see cref="Environment.MachineName"/>;
    /// a restarted container comes back under another name, which tests reproduce by setting this).</summary>
    public string Host { get; init; } = Environment.MachineName;

    internal void Validate()
    {
        if (MaxConsecutiveFailures < 1) throw new ArgumentOutOfRangeException(nameof(MaxConsecutiveFailures), MaxConsecutiveFailures, "must be ≥ 1.");
        if (HeartbeatInterval <= TimeSpan.Zero) throw new ArgumentOutOfRangeException(nameof(HeartbeatInterval), HeartbeatInterval, "must be > 0.");
        if (HeartbeatGrace <= HeartbeatInterval)
            throw new ArgumentOutOfRangeException(nameof(HeartbeatGrace), HeartbeatGrace, $"must exceed the heartbeat interval {HeartbeatInterval}.");
        if (string.IsNullOrWhiteSpace(Host) || Host.Contains(':')) throw new ArgumentException($"host name '{Host}' must be non-blank and free of ':'.", nameof(Host));
    }
}

/// <summary>A hyperparameter search (minimisation) whose every trial lives in a database: a DuckDB file (one process
/// at a time) or a PostgreSQL database shared by any number of workers on any number of hosts (<c>cbi worker</c>).
/// Each state change is its own committed statement, so a killed process loses at most the trial it was running.
/// Workers claim trials atomically (a transaction holding the study's row lock decides retry or new proposal and
/// inserts the RUNNING trial), the sampler of every worker sees the finished trials of all, and no worker starts a
/// proposal beyond the budget: one waits while the last proposals run elsewhere, and takes over a dead worker's. A running trial
/// stores a heartbeat every <see cref="StudyOptions.HeartbeatInterval"/>; a RUNNING trial whose process is gone (same
/// host) or whose heartbeat is older than <see cref="StudyOptions.HeartbeatGrace"/> (any host, also a zombie process)
/// is marked FAIL, and its parameters are tried once more, so a killed and resumed run reaches the same trials, with
/// the same parameters and values, as an uninterrupted one. Default file: artifacts/&lt;profile&gt;/studies.duckdb
/// (kept apart from the warehouse because 01-export rebuilds the warehouse and DuckDB admits one writing process
/// per file; a study file can also be shared by workers that take turns).</summary>
public sealed class Study : IDisposable
{
    // Study instances alive in this process: a RUNNING trial owned by this process but by no live instance was
    // abandoned (its Study was disposed mid-trial), just as one owned by a dead process was.
    static readonly HashSet<string> LiveInstances = [];

    readonly DbConnection db;
    readonly StudyStorage storage;
    // The heartbeat timer writes from a pool thread; one connection, one statement at a time.
    readonly object gate = new();
    bool disposed;
    readonly string instance = Guid.NewGuid().ToString("N")[..12];
    readonly StudyOptions options;

    /// <summary>Study name (key within the database file).</summary>
    public string Name { get; }
    /// <summary>Where the study lives: the DuckDB file, <see cref="InMemory"/>, or the PostgreSQL location without its password.</summary>
    public string Path => storage.Display;
    /// <summary>The search space the study was opened with (equal to the stored one).</summary>
    public SearchSpace Space { get; }
    internal IPruner Pruner => options.Pruner;

    readonly bool readOnly;

    Study(StudyStorage storage, string name, SearchSpace space, StudyOptions options, bool readOnly = false)
    {
        options.Validate();
        this.storage = storage; Name = name; Space = space; this.options = options; this.readOnly = readOnly;
        if (!readOnly) storage.Prepare();
        db = storage.Connect(readOnly);
        lock (LiveInstances) LiveInstances.Add(instance);
    }

    /// <summary>A study that lives only as long as its object (tests, throw-away comparisons).</summary>
    public const string InMemory = ":memory:";

    /// <summary>artifacts/&lt;profile&gt;/studies.duckdb.</summary>
    public static string DefaultPath => System.IO.Path.Combine(Workbench.ProfileDir, "studies.duckdb");

    /// <summary>Creates the study, or reopens it (same space required) and fails its orphaned RUNNING trials.</summary>
    /// <param name="name">Study name (non-blank).</param>
    /// <param name="space">The search space; must equal the stored one when the study exists.</param>
    /// <param name="options">Sampler, pruner, seed, progress; null = defaults. Not compared with the stored settings.</param>
    /// <param name="path">The DuckDB file (created with its folder if missing), <see cref="InMemory"/>, or a PostgreSQL
    /// location <c>postgres://user[:password]@host[:port]/database</c> (tables created when missing); null = <see cref="DefaultPath"/>.</param>
    /// <exception cref="ArgumentException"><paramref name="name"/> is blank, or the location is not a valid postgres:// URI.</exception>
    /// <exception cref="ArgumentNullException"><paramref name="space"/> is null.</exception>
    /// <exception cref="InvalidOperationException">The stored study has a different search space.</exception>
    /// <exception cref="StudyStorageException">The database cannot be reached, refuses the credentials, or is locked by another process (DuckDB).</exception>
    public static Study Open(string name, SearchSpace space, StudyOptions? options = null, string? path = null)
    {
        if (string.IsNullOrWhiteSpace(name)) throw new ArgumentException("A study needs a name.", nameof(name));
        ArgumentNullException.ThrowIfNull(space);
        var s = new Study(StudyStorage.Parse(path ?? DefaultPath), name, space, options ?? new StudyOptions());
        try { s.Initialise(); return s; }
        catch { s.Dispose(); throw; }
    }

    /// <summary>Opens a stored study with the space it was created with (for reports; it can also be resumed).</summary>
    /// <param name="name">Study name.</param>
    /// <param name="path">The study location (see <see cref="Open"/>); null = <see cref="DefaultPath"/>.</param>
    /// <param name="options">Settings; null = defaults with the stored seed.</param>
    /// <exception cref="FileNotFoundException">The file does not exist.</exception>
    /// <exception cref="KeyNotFoundException">The database holds no study <paramref name="name"/> (always the case for <see cref="InMemory"/>).</exception>
    /// <exception cref="StudyStorageException">The database cannot be reached or refuses the credentials.</exception>
    public static Study OpenExisting(string name, string? path = null, StudyOptions? options = null)
    {
        var stored = Stored(name, path);
        return Open(name, SearchSpace.FromJson(stored.SpaceJson), options ?? new StudyOptions { Seed = stored.Seed }, path ?? DefaultPath);
    }

    static StoredStudy Stored(string name, string? path)
    {
        var storage = StudyStorage.Parse(path ?? DefaultPath);
        if (!storage.Exists && path != InMemory) throw new FileNotFoundException($"No study database at {storage.Display}.", storage.Display);
        var all = List(path ?? DefaultPath);
        return all.FirstOrDefault(s => s.Name == name)
            ?? throw new KeyNotFoundException($"{storage.Display} holds no study '{name}' (it has: {string.Join(", ", all.Select(s => s.Name))}).");
    }

    /// <summary>Opens a stored study to read it (<see cref="Trials"/>, <see cref="ExportCsv"/>) without changing anything:
    /// the file is opened read-only and no trial state is touched (a RUNNING trial stays RUNNING; resuming is
    /// <see cref="OpenExisting"/>'s job).</summary>
    /// <exception cref="FileNotFoundException">no study database at the path.</exception>
    /// <exception cref="KeyNotFoundException">the database holds no study of that name (the message lists those it has).</exception>
    public static Study OpenReadOnly(string name, string? path = null)
    {
        var stored = Stored(name, path);
        var s = new Study(StudyStorage.Parse(path ?? DefaultPath), name, SearchSpace.FromJson(stored.SpaceJson),
            new StudyOptions { Seed = stored.Seed, Progress = false }, readOnly: true);
        s.Task = stored.Task;
        return s;
    }

    /// <summary>A study as listed by <see cref="List"/>.</summary>
    /// <param name="Name">Study name.</param>
    /// <param name="SpaceJson">The stored search space (<see cref="SearchSpace.ToJson"/>).</param>
    /// <param name="Sampler">Name of the sampler it was created with ("" if not stored).</param>
    /// <param name="Seed">Seed it was created with (0 if not stored).</param>
    /// <param name="Trials">Trials in any state.</param>
    /// <param name="Complete">COMPLETE trials.</param>
    /// <param name="BestValue">Lowest COMPLETE value; NaN when none.</param>
    public sealed record StoredStudy(string Name, string SpaceJson, string Sampler, int Seed, int Trials, int Complete, double BestValue)
    {
        /// <summary>What the study searches (JSON, e.g. model, horizon, profile), recorded by its creator for workers; null if none.</summary>
        public string? Task { get; init; }
    }

    /// <summary>The studies in a database with trial counts and best values, by name.</summary>
    /// <param name="path">The study location (see <see cref="Open"/>); null = <see cref="DefaultPath"/>. A missing DuckDB
    /// file, or a PostgreSQL database without study tables, gives an empty list.</param>
    /// <exception cref="StudyStorageException">The database cannot be reached or refuses the credentials.</exception>
    public static IReadOnlyList<StoredStudy> List(string? path = null)
    {
        var storage = StudyStorage.Parse(path ?? DefaultPath);
        if (!storage.Exists) return [];
        using var db = storage.Connect(readOnly: true);
        // No studies table: nothing stored yet. A study file written before tasks were recorded has no task_json column
        // (it is added when a study is opened to run, never on a read).
        var columns = new List<string>();
        using (var t = db.CreateCommand())
        {
            t.CommandText = "SELECT column_name FROM information_schema.columns WHERE table_name = 'studies'";
            using var cr = t.ExecuteReader();
            while (cr.Read()) columns.Add(cr.GetString(0));
        }
        if (columns.Count == 0) return [];
        var hasTask = columns.Contains("task_json");
        using var c = db.CreateCommand();
        c.CommandText = $$"""
            SELECT s.study, s.space_json, s.sampler, s.seed, count(t.number), count(*) FILTER (WHERE t.state = 'COMPLETE'),
                min(t.value) FILTER (WHERE t.state = 'COMPLETE'), {{(hasTask ? "s.task_json" : "CAST(NULL AS VARCHAR)")}}
            FROM studies s LEFT JOIN trials t ON t.study = s.study
            GROUP BY s.study, s.space_json, s.sampler, s.seed{{(hasTask ? ", s.task_json" : "")}} ORDER BY s.study
            """;
        var list = new List<StoredStudy>();
        using var r = c.ExecuteReader();
        while (r.Read())
            list.Add(new StoredStudy(r.GetString(0), r.GetString(1), r.IsDBNull(2) ? "" : r.GetString(2), r.IsDBNull(3) ? 0 : r.GetInt32(3),
                (int)r.GetInt64(4), (int)r.GetInt64(5), r.IsDBNull(6) ? double.NaN : r.GetDouble(6)) { Task = r.IsDBNull(7) ? null : r.GetString(7) });
        return list;
    }

    /// <summary>What the study searches, as recorded by <see cref="RecordTask"/> (JSON); null when nothing was recorded.</summary>
    internal string? Task { get; private set; }

    /// <summary>Records what the study searches, so workers started with only the study's name know the objective. A
    /// study records its task once; a later worker must bring the same one.</summary>
    /// <exception cref="InvalidOperationException">the study already records another task.</exception>
    internal void RecordTask(string taskJson)
    {
        lock (gate)
        {
            Exec("UPDATE studies SET task_json = $j WHERE study = $s AND task_json IS NULL", ("j", taskJson), ("s", Name));
            using var c = Cmd("SELECT task_json FROM studies WHERE study = $s", ("s", Name));
            var stored = c.ExecuteScalar() as string;
            if (stored != taskJson)
                throw new InvalidOperationException($"Study '{Name}' in {Path} searches {stored}, not {taskJson}; use a new study name for another task.");
            Task = stored;
        }
    }

    void Initialise()
    {
        var json = Space.ToJson();
        lock (gate)
        {
            using (var tx = db.BeginTransaction())
            {
                Exec(storage.Schema);
                // Several workers may create the same study at once: the first insert wins, the others compare.
                Exec("INSERT INTO studies(study, space_json, sampler, seed, created_utc) VALUES ($s, $j, $sm, $seed, $t) ON CONFLICT (study) DO NOTHING",
                    ("s", Name), ("j", json), ("sm", options.Sampler.Name), ("seed", options.Seed), ("t", DateTime.UtcNow));
                tx.Commit();
            }
            using var c = Cmd("SELECT space_json, task_json FROM studies WHERE study = $s", ("s", Name));
            using var r = c.ExecuteReader();
            r.Read();
            var existing = r.GetString(0);
            Task = r.IsDBNull(1) ? null : r.GetString(1);
            if (existing != json)
                throw new InvalidOperationException($"Study '{Name}' in {Path} was created with a different search space:\n  stored  {existing}\n  given   {json}\nUse a new study name to search a new space.");
        }
        FailAbandoned(logLive: true);
    }

    /// <summary>Marks FAIL every RUNNING trial whose worker is gone: on this host, a process that has exited (or this
    /// process's disposed Study); on any host, a heartbeat older than the grace period (a restarted container has
    /// another host name; a zombie process still "exists"). The trial ends at its last heartbeat.</summary>
    void FailAbandoned(bool logLive)
    {
        var running = new List<(int Number, string Owner, DateTime Beat)>();
        lock (gate)
        {
            using var c = Cmd("SELECT number, coalesce(owner, ''), coalesce(heartbeat_utc, started_utc) FROM trials WHERE study = $s AND state = 'RUNNING' ORDER BY number", ("s", Name));
            using var r = c.ExecuteReader();
            while (r.Read()) running.Add((r.GetInt32(0), r.GetString(1), r.GetDateTime(2)));
        }
        var now = DateTime.UtcNow;
        foreach (var (number, owner, beat) in running)
        {
            var why = ProcessGone(owner) ? $"worker {owner} ended while the trial was running"
                : now - beat > options.HeartbeatGrace ? $"worker {owner} ended while the trial was running (no heartbeat for {(now - beat).TotalSeconds:F0} s, grace {options.HeartbeatGrace.TotalSeconds:F0} s)"
                : null;
            if (why == null) { if (logLive) Log($"trial {number} is RUNNING in live worker {owner}; left alone"); continue; }
            // Another worker (or the owner's own End) may have got there first: only a row actually changed is reported.
            if (Exec("UPDATE trials SET state = 'FAIL', finished_utc = $t, message = $m WHERE study = $s AND number = $n AND state = 'RUNNING'",
                    ("t", beat), ("m", why), ("s", Name), ("n", number)) > 0)
                Log($"trial {number} was left RUNNING by {owner}: marked FAIL ({why})");
        }
    }

    bool ProcessGone(string owner)
    {
        var parts = owner.Split(':');
        if (parts.Length is not (3 or 4) || !int.TryParse(parts[1], out var pid)) return true;
        if (parts[0] != options.Host) return false; // another host's worker: only its heartbeat can tell
        // Same host name, another process-id namespace (containers with the host's network, cloned machines): its
        // process ids mean nothing here either. Owners written before the namespace was recorded have 3 parts.
        if (parts.Length == 4 && parts[3] != PidNamespace) return false;
        if (pid == Environment.ProcessId) { lock (LiveInstances) return !LiveInstances.Contains(parts[2]); }
        try { using var p = Process.GetProcessById(pid); return p.HasExited; }
        catch (ArgumentException) { return true; }
    }

    /// <summary>This process's process-id namespace (the inode of /proc/self/ns/pid on Linux; "" elsewhere): together
    /// with the host name it says whether a trial's owner pid can be looked up here.</summary>
    static readonly string PidNamespace = ReadPidNamespace();

    static string ReadPidNamespace()
    {
        try { return new string((new FileInfo("/proc/self/ns/pid").LinkTarget ?? "").Where(char.IsAsciiDigit).ToArray()); }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException) { return ""; }
    }

    /// <summary>All trials, in order.</summary>
    public IReadOnlyList<TrialRecord> Trials => Load();

    internal IReadOnlyList<TrialRecord> Finished() => Load().Where(t => t.State is TrialState.Complete or TrialState.Pruned).ToList();

    /// <summary>The best complete trial, or null.</summary>
    public TrialRecord? Best => Load().Where(t => t.State == TrialState.Complete && double.IsFinite(t.Value)).OrderBy(t => t.Value).ThenBy(t => t.Number).FirstOrDefault();

    /// <summary>Runs trials until the study holds <paramref name="totalTrials"/> finished proposals, so re-running the
    /// same call after a crash completes the budget instead of starting over. A proposal is finished when a trial of it
    /// is COMPLETE or PRUNED, or when it failed twice: a FAIL trial's parameters are tried once more before any new
    /// proposal (a killed worker's trial is thus redone), and the sampler's generator is seeded by the proposal's index,
    /// not the trial number, so a run interrupted and resumed proposes exactly what an uninterrupted one does. An
    /// objective that throws marks its trial FAIL and the exception propagates; a NaN or infinite value fails the trial
    /// and the search goes on, until <see cref="StudyOptions.MaxConsecutiveFailures"/> trials in a row have failed.
    /// <para>A new proposal equal, parameter for parameter, to an evaluated (COMPLETE or PRUNED) point is drawn again from the
    /// sampler, then uniformly at random, up to <see cref="DuplicateRedraws"/> times each; a point still evaluated after that is not run again: the trial is stored with
    /// that trial's state and value and <see cref="TrialRecord.DuplicateOf"/> set (and a message saying so), and counts
    /// toward the budget, as a re-used value does in Optuna.</para></summary>
    /// <param name="objective">Evaluates a trial and returns the value to minimise; may report intermediate values and
    /// throw <see cref="TrialPrunedException"/>.</param>
    /// <param name="totalTrials">Finished trials wanted in the study (≥ 1), counting those already stored.</param>
    /// <param name="timeout">Stop starting new trials once this much time has passed (checked between trials); null = no limit.</param>
    /// <returns><see cref="Best"/> at the end (null if no trial completed).</returns>
    /// <exception cref="ArgumentOutOfRangeException"><paramref name="totalTrials"/> &lt; 1.</exception>
    /// <exception cref="InvalidOperationException">The last <see cref="StudyOptions.MaxConsecutiveFailures"/> trials all
    /// failed (the message quotes the last failure).</exception>
    public TrialRecord? Optimize(Func<Trial, double> objective, int totalTrials, TimeSpan? timeout = null)
    {
        if (readOnly) throw new InvalidOperationException($"study {Name} was opened read-only (Study.OpenReadOnly); open it with Study.Open or OpenExisting to run trials.");
        ArgumentOutOfRangeException.ThrowIfLessThan(totalTrials, 1);
        var clock = Stopwatch.StartNew();
        var waiting = false;
        while (true)
        {
            if (timeout is { } limit && clock.Elapsed > limit) { Log($"time budget {limit} spent after {FinishedProposals(Load())} finished trials"); break; }
            var (budgetReached, trial, done, reused) = Claim(totalTrials);
            if (budgetReached) break;
            if (reused) { waiting = false; continue; }
            if (trial is null)
            {
                // The rest of the budget is running in other workers: wait, and take over a proposal whose worker dies.
                if (!waiting) Log($"{done}/{totalTrials} finished; the remaining proposals are running in other workers, waiting");
                waiting = true;
                Thread.Sleep(PollInterval);
                continue;
            }
            waiting = false;
            var number = trial.Number;
            var values = trial.Values;
            double value;
            try { value = objective(trial); }
            catch (TrialPrunedException p)
            {
                End(trial, TrialState.Pruned, double.NaN, $"pruned at step {p.Step}");
                Log($"trial {number} PRUNED at step {p.Step} ({done + 1}/{totalTrials}) {Describe(values)}");
                continue;
            }
            catch (Exception e)
            {
                End(trial, TrialState.Fail, double.NaN, e.GetType().Name + ": " + e.Message);
                Log($"trial {number} FAIL: {e.Message}");
                throw;
            }
            if (!double.IsFinite(value))
            {
                End(trial, TrialState.Fail, double.NaN, $"objective returned {value}");
                Log($"trial {number} FAIL: objective returned {value}");
                continue;
            }
            var seconds = (DateTime.UtcNow - trial.Started).TotalSeconds;
            if (!End(trial, TrialState.Complete, value, null)) continue;
            var best = Best!;
            Log($"trial {number} COMPLETE {value:G6} ({done + 1}/{totalTrials}; best {best.Value:G6} #{best.Number}; {seconds:F1} s) {Describe(values)}");
        }
        return Best;
    }

    TimeSpan PollInterval => TimeSpan.FromMilliseconds(Math.Min(1000, options.HeartbeatInterval.TotalMilliseconds));

    /// <summary>One atomic step of the search, in a transaction that holds the study's claim lock (PostgreSQL) or this
    /// study's gate (DuckDB): fail abandoned trials, then retry a failed proposal, or start a new proposal while
    /// finished + running + awaiting-retry proposals stay below the budget. Returns (budget reached, the claimed trial or
    /// null when the remaining budget runs elsewhere, finished proposals before the claim).</summary>
    (bool BudgetReached, Trial? Trial, int Finished, bool Reused) Claim(int totalTrials)
    {
        Trial trial;
        int done;
        lock (gate)
        {
            using var tx = db.BeginTransaction();
            if (storage.ClaimLock is { } claimLock) Exec(claimLock, ("s", Name));
            FailAbandoned(logLive: false);
            var all = LoadUnlocked();
            var finished = all.Where(t => t.State is TrialState.Complete or TrialState.Pruned).ToList();
            done = FinishedProposals(all);
            if (done >= totalTrials) { tx.Commit(); return (true, null, done, false); }
            var failedRun = all.AsEnumerable().Reverse().TakeWhile(t => t.State == TrialState.Fail).ToList();
            if (failedRun.Count >= options.MaxConsecutiveFailures)
            {
                tx.Commit();
                throw new InvalidOperationException(
                    $"Study '{Name}' stopped: the last {failedRun.Count} trials failed (cap {options.MaxConsecutiveFailures}); " +
                    $"last failure, trial {failedRun[0].Number}: {failedRun[0].Message}");
            }
            var number = all.Count == 0 ? 0 : all.Max(t => t.Number) + 1;
            var retried = all.Where(t => t.RetryOf != null).Select(t => t.RetryOf!.Value).ToHashSet();
            var awaitingRetry = all.Where(t => t.State == TrialState.Fail && t.RetryOf == null && !retried.Contains(t.Number)).ToList();
            var retry = awaitingRetry.FirstOrDefault();
            IReadOnlyDictionary<string, double> values;
            if (retry != null)
            {
                values = retry.Params;
                Log($"trial {number} retries the parameters of failed trial {retry.Number}");
            }
            else
            {
                if (done + all.Count(t => t.State == TrialState.Running) >= totalTrials) { tx.Commit(); return (false, null, done, false); }
                // Seeded per proposal index (retries excluded): the same history and seed give the same proposal
                // however many failed attempts sit in between.
                var proposal = all.Count(t => t.RetryOf == null);
                var rng = new Random(unchecked(options.Seed * 1_000_003 + proposal * 7919));
                values = options.Sampler.Sample(Space, finished, rng);
                // On a discrete (or mostly discrete) space TPE keeps drawing its favourite point: 25 trials once evaluated
                // 7 points, one of them 13 times. Draw again from the same generator a bounded number of times, and if the
                // point is still an evaluated one, re-use that trial's result as Optuna's FAQ recommends for duplicated
                // parameters ("return the value of the previous trial") instead of spending the objective on it again.
                // Then uniform draws: once the sampler has nothing but known points to offer, an unevaluated point is worth
                // more than the known value again.
                for (var again = 0; again < DuplicateRedraws && EvaluatedAt(finished, values) != null; again++)
                    values = options.Sampler.Sample(Space, finished, rng);
                var random = new RandomSampler();
                for (var again = 0; again < DuplicateRedraws && EvaluatedAt(finished, values) != null; again++)
                    values = random.Sample(Space, finished, rng);
                if (EvaluatedAt(finished, values) is { } twin)
                {
                    var now = DateTime.UtcNow;
                    var message = $"repeats trial {twin.Number} after {DuplicateRedraws} redraws and {DuplicateRedraws} uniform draws: its {StateName(twin.State)} result re-used, objective not run";
                    Exec("""
                        INSERT INTO trials(study, number, state, value, started_utc, finished_utc, owner, message, heartbeat_utc, retry_of, duplicate_of)
                        VALUES ($s, $n, $st, $v, $t, $t, $o, $m, $t, NULL, $d)
                        """, ("s", Name), ("n", number), ("st", StateName(twin.State)), ("v", double.IsFinite(twin.Value) ? twin.Value : null), ("t", now),
                        ("o", $"{options.Host}:{Environment.ProcessId}:{instance}:{PidNamespace}"), ("m", message), ("d", twin.Number));
                    InsertParams(number, values);
                    tx.Commit();
                    Log($"trial {number} {StateName(twin.State)} {twin.Value:G6} ({done + 1}/{totalTrials}) {message}");
                    return (false, null, done, true);
                }
            }
            var started = DateTime.UtcNow;
            Exec("""
                INSERT INTO trials(study, number, state, value, started_utc, finished_utc, owner, message, heartbeat_utc, retry_of)
                VALUES ($s, $n, 'RUNNING', NULL, $t, NULL, $o, NULL, $t, $r)
                """, ("s", Name), ("n", number), ("t", started), ("o", $"{options.Host}:{Environment.ProcessId}:{instance}:{PidNamespace}"), ("r", retry?.Number));
            InsertParams(number, values);
            tx.Commit();
            heartbeatTrial = number;
            trial = new Trial(this, number, values, started);
        }
        heartbeat = new Timer(_ => Beat(trial.Number), null, options.HeartbeatInterval, options.HeartbeatInterval);
        return (false, trial, done, false);
    }

    /// <summary>Extra draws from a proposal's generator, by the sampler and then uniformly, while the proposal is an
    /// evaluated point, before that point's result is re-used.</summary>
    internal const int DuplicateRedraws = 10;

    /// <summary>The earliest COMPLETE or PRUNED trial that was evaluated at exactly <paramref name="values"/> (itself no
    /// duplicate), or null.</summary>
    TrialRecord? EvaluatedAt(IReadOnlyList<TrialRecord> finished, IReadOnlyDictionary<string, double> values) =>
        finished.Where(t => t.DuplicateOf == null).OrderBy(t => t.Number)
            .FirstOrDefault(t => Space.Parameters.All(p => t.Params.TryGetValue(p.Name, out var v) && v == values[p.Name]));

    void InsertParams(int number, IReadOnlyDictionary<string, double> values)
    {
        foreach (var p in Space.Parameters)
            Exec("INSERT INTO trial_params(study, number, name, value, label) VALUES ($s, $n, $p, $v, $l)",
                ("s", Name), ("n", number), ("p", p.Name), ("v", values[p.Name]), ("l", p.Label(values[p.Name])));
    }

    /// <summary>Proposals that count toward the budget: those with a COMPLETE or PRUNED trial, and failed ones whose
    /// retry failed as well.</summary>
    static int FinishedProposals(IReadOnlyList<TrialRecord> all)
    {
        var n = 0;
        foreach (var t in all)
        {
            // A retry decides for its proposal (the FAIL it retries is not counted); a retry that failed too counts.
            if (t.RetryOf != null) { if (t.State != TrialState.Running) n++; }
            else if (t.State is TrialState.Complete or TrialState.Pruned) n++;
        }
        return n;
    }

    string Describe(IReadOnlyDictionary<string, double> v) => string.Join(" ", Space.Parameters.Select(p => $"{p.Name}={p.Label(v[p.Name])}"));

    Timer? heartbeat;
    int heartbeatTrial = -1;

    void Beat(int number)
    {
        lock (gate)
        {
            if (disposed || heartbeatTrial != number) return;
            try
            {
                Exec("UPDATE trials SET heartbeat_utc = $t WHERE study = $s AND number = $n AND state = 'RUNNING'",
                    ("t", DateTime.UtcNow), ("s", Name), ("n", number));
            }
            // A missed beat only brings the grace period closer; it must not bring the process down from a pool thread.
            catch (Exception e) { Log($"heartbeat of trial {number} not stored: {e.Message}"); }
        }
    }

    void StopHeartbeat()
    {
        lock (gate) heartbeatTrial = -1;
        heartbeat?.Dispose();
        heartbeat = null;
    }

    /// <summary>Stores a trial's end; false (and a log line) when another worker had already marked it FAIL — its
    /// heartbeat stalled past the grace period — so its proposal is decided by the retry, not by this late result.</summary>
    bool End(Trial t, TrialState state, double value, string? message)
    {
        StopHeartbeat();
        var stored = Exec("UPDATE trials SET state = $st, value = $v, finished_utc = $t, message = $m WHERE study = $s AND number = $n AND state = 'RUNNING'",
            ("st", StateName(state)), ("v", double.IsFinite(value) ? value : null), ("t", DateTime.UtcNow), ("m", message), ("s", Name), ("n", t.Number));
        if (stored == 0) Log($"trial {t.Number} had been marked FAIL by another worker (no heartbeat within the grace period); its {StateName(state)} result is discarded");
        return stored > 0;
    }

    internal void StoreIntermediate(int number, int step, double value) =>
        Exec("INSERT INTO trial_values(study, number, step, value) VALUES ($s, $n, $st, $v) ON CONFLICT (study, number, step) DO UPDATE SET value = excluded.value",
            ("s", Name), ("n", number), ("st", step), ("v", value));

    internal TrialRecord AsRecord(Trial t) => new(t.Number, TrialState.Running, double.NaN, t.Values,
        Space.Parameters.ToDictionary(p => p.Name, p => p.Label(t.Values[p.Name])), t.Intermediate, t.Started, null, null);

    static string StateName(TrialState s) => s switch
    {
        TrialState.Running => "RUNNING", TrialState.Complete => "COMPLETE", TrialState.Pruned => "PRUNED", _ => "FAIL",
    };

    static TrialState ParseState(string s) => s switch
    {
        "RUNNING" => TrialState.Running, "COMPLETE" => TrialState.Complete, "PRUNED" => TrialState.Pruned, "FAIL" => TrialState.Fail,
        _ => throw new InvalidDataException($"unknown trial state '{s}'"),
    };

    List<TrialRecord> Load()
    {
        lock (gate) return LoadUnlocked();
    }

    List<TrialRecord> LoadUnlocked()
    {
        var pv = new Dictionary<int, Dictionary<string, double>>();
        var pl = new Dictionary<int, Dictionary<string, string>>();
        using (var c = Cmd("SELECT number, name, value, label FROM trial_params WHERE study = $s", ("s", Name)))
        using (var r = c.ExecuteReader())
            while (r.Read())
            {
                var n = r.GetInt32(0);
                (pv.TryGetValue(n, out var d) ? d : pv[n] = [])[r.GetString(1)] = r.GetDouble(2);
                (pl.TryGetValue(n, out var l) ? l : pl[n] = [])[r.GetString(1)] = r.GetString(3);
            }
        var iv = new Dictionary<int, Dictionary<int, double>>();
        using (var c = Cmd("SELECT number, step, value FROM trial_values WHERE study = $s", ("s", Name)))
        using (var r = c.ExecuteReader())
            while (r.Read())
            {
                var n = r.GetInt32(0);
                (iv.TryGetValue(n, out var d) ? d : iv[n] = [])[r.GetInt32(1)] = r.IsDBNull(2) ? double.NaN : r.GetDouble(2);
            }
        var list = new List<TrialRecord>();
        // A study file written before duplicate_of existed, opened read-only, has not been migrated: read NULLs.
        var duplicateOf = readOnly && !HasDuplicateOfColumn() ? "NULL" : "duplicate_of";
        using (var c = Cmd($"SELECT number, state, value, started_utc, finished_utc, message, retry_of, {duplicateOf} FROM trials WHERE study = $s ORDER BY number", ("s", Name)))
        using (var r = c.ExecuteReader())
            while (r.Read())
            {
                var n = r.GetInt32(0);
                list.Add(new TrialRecord(n, ParseState(r.GetString(1)), r.IsDBNull(2) ? double.NaN : r.GetDouble(2),
                    pv.GetValueOrDefault(n) ?? [], pl.GetValueOrDefault(n) ?? [], iv.GetValueOrDefault(n) ?? [],
                    r.GetDateTime(3), r.IsDBNull(4) ? null : r.GetDateTime(4), r.IsDBNull(5) ? null : r.GetString(5))
                { RetryOf = r.IsDBNull(6) ? null : r.GetInt32(6), DuplicateOf = r.IsDBNull(7) ? null : r.GetInt32(7) });
            }
        return list;
    }

    bool? hasDuplicateOf;
    bool HasDuplicateOfColumn()
    {
        if (hasDuplicateOf is { } known) return known;
        using var c = Cmd("SELECT count(*) FROM information_schema.columns WHERE table_name = 'trials' AND column_name = 'duplicate_of'");
        return (hasDuplicateOf = Convert.ToInt64(c.ExecuteScalar(), CultureInfo.InvariantCulture) > 0).Value;
    }

    DbCommand Cmd(string sql, params (string Name, object? Value)[] ps)
    {
        var c = db.CreateCommand();
        c.CommandText = storage.Sql(sql);
        foreach (var (n, v) in ps) c.Parameters.Add(storage.Parameter(n, v));
        return c;
    }

    int Exec(string sql, params (string Name, object? Value)[] ps)
    {
        lock (gate)
        {
            using var c = Cmd(sql, ps);
            return c.ExecuteNonQuery();
        }
    }

    void Log(string line) { if (options.Progress) IO.Log.Progress($"[study {Name}] {line}"); }

    /// <summary>Writes the trial history as CSV (small, reviewable, committed with the artifacts; the DuckDB
    /// file itself is git-ignored). Columns: number, state, value, seconds, then one per parameter (its label); LF line ends, atomic write.</summary>
    /// <param name="path">Destination file (replaced if it exists).</param>
    public void ExportCsv(string path)
    {
        var inv = CultureInfo.InvariantCulture;
        var names = Space.Parameters.Select(p => p.Name).ToArray();
        var lines = new List<string> { "number,state,value,seconds," + string.Join(',', names) };
        foreach (var t in Load())
            lines.Add(string.Join(',', new[] { t.Number.ToString(inv), StateName(t.State), t.Value.ToString("R", inv), t.Seconds.ToString("F2", inv) }
                .Concat(names.Select(n => t.Labels.GetValueOrDefault(n, "")))));
        AtomicFile.WriteAllText(path, string.Join('\n', lines) + "\n");
    }

    /// <summary>Closes the database connection; a trial still RUNNING in this instance becomes orphaned (marked FAIL on the next open).</summary>
    public void Dispose()
    {
        StopHeartbeat();
        lock (LiveInstances) LiveInstances.Remove(instance);
        lock (gate)
        {
            if (disposed) return;
            disposed = true;
            db.Dispose();
        }
    }
}
