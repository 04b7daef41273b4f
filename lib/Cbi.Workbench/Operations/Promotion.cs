using Cbi.Workbench.Evaluation;
using Cbi.Workbench.IO;

namespace Cbi.Workbench.Operations;

/// <summary>A promotion as recorded: who swapped which horizon's release for its shadow, on what evidence.</summary>
/// <param name="TimeUtc">When.</param>
/// <param name="Horizon">Trading days ahead.</param>
/// <param name="From">"model@version" released before.</param>
/// <param name="To">"model@version" released after (the shadow).</param>
/// <param name="Evidence">The active promotion proposal's evidence (matured scores, Diebold–Mariano p).</param>
/// <param name="Reason">The person's reason, as given.</param>
/// <param name="ReleaseBefore">Release id before (its release.json is kept under release/history/).</param>
/// <param name="ReleaseAfter">Release id after.</param>
/// <param name="History">The previous release.json as kept, relative to the release folder
/// (history/&lt;id before&gt;-&lt;time&gt;.json: a release id names what is operated, so two wordings of one release may share it).</param>
public sealed record PromotionRecord(DateTime TimeUtc, int Horizon, string From, string To, string Evidence, string Reason, string ReleaseBefore, string ReleaseAfter,
    string History = "");

/// <summary>Performing a promotion — never done by the rules themselves: a person asks for it, only while the live alert
/// state holds an active <c>promotion-proposed</c> for that horizon (the shadow earned it on matured forecasts), and it is
/// recorded: the shadow is the fit the operations ledger holds for this release and horizon, the previous release.json is kept under release/history/&lt;id&gt;-&lt;time&gt;.json, the card of the horizon names the
/// shadow's model and fitted version with the evidence in its reason, and release/promotions.jsonl gets a line.</summary>
public static class Promotion
{
    /// <summary>Promotes the shadow of <paramref name="horizon"/>.</summary>
    /// <param name="profileDir">artifacts/&lt;profile&gt;.</param>
    /// <param name="horizon">The horizon whose shadow is promoted.</param>
    /// <param name="reason">Why (required).</param>
    /// <returns>The record written.</returns>
    /// <exception cref="ArgumentException">no reason given.</exception>
    /// <exception cref="InvalidOperationException">no active proposal for the horizon, its shadow is not among the card's
    /// candidates, or its fitted version is not in the model store.</exception>
    public static PromotionRecord Promote(string profileDir, int horizon, string reason)
    {
        if (string.IsNullOrWhiteSpace(reason)) throw new ArgumentException("a promotion needs a reason (--reason).", nameof(reason));
        var proposal = AlertBook.Load(OperationsJob.AlertStatePath(profileDir)).Active
            .FirstOrDefault(kv => kv.Key.Rule == "promotion-proposed" && kv.Key.Subject.StartsWith($"h{horizon} shadow ", StringComparison.Ordinal));
        if (proposal.Key.Rule is null)
            throw new InvalidOperationException($"no active promotion proposal for h{horizon} in {Workbench.Relative(OperationsJob.AlertStatePath(profileDir))}: " +
                                                "the shadow has not earned one on matured forecasts (cbi forecast checks the rule each day).");
        var path = Release.PathIn(profileDir);
        var before = OperationalModels.ReleaseId(path);
        // The shadow is the fit that forecast beside this release in operations: its ledger rows name model and version.
        var shadows = OperationsStore.Read(OperationsStore.PathIn(profileDir))
            .Where(f => f.Release == before && f.Role == Roles.Shadow && f.Horizon == horizon).Select(f => (f.Model, f.Version)).Distinct().ToList();
        if (shadows.Count != 1 || proposal.Key.Subject != $"h{horizon} shadow {shadows[0].Model}")
            throw new InvalidOperationException($"the ledger {Workbench.Relative(OperationsStore.PathIn(profileDir))} holds {shadows.Count} shadow fit(s) of release {before} at h{horizon} " +
                                                $"({string.Join(", ", shadows.Select(x => $"{x.Model}@{x.Version}"))}); the proposal is about '{proposal.Key.Subject}'.");
        var (model, version) = shadows[0];
        var shadow = $"{model}@{version}";
        var cards = Release.Read(path).ToList();
        var i = cards.FindIndex(c => c.Horizon == horizon);
        if (i < 0) throw new InvalidOperationException($"the release has no card for h{horizon}.");
        var old = cards[i];
        var candidate = old.Candidates.FirstOrDefault(c => c.Model == model)
            ?? throw new InvalidOperationException($"{model} is not a candidate on the h{horizon} card; only a candidate with validation evidence can be released.");
        if (!Directory.Exists(Path.Combine(profileDir, "models", model, $"h{horizon}", version)))
            throw new InvalidOperationException($"{model}@{version} is not in {Workbench.Relative(Path.Combine(profileDir, "models"))}.");
        var now = DateTime.UtcNow;
        var releaseDir = Path.GetDirectoryName(path)!;
        var kept = FormattableString.Invariant($"history/{before}-{now:yyyyMMdd'T'HHmmssfff'Z'}.json");
        var history = Path.Combine(releaseDir, kept);
        Directory.CreateDirectory(Path.GetDirectoryName(history)!);
        File.Copy(path, history, overwrite: false);
        cards[i] = old with
        {
            Model = model, Version = version, Skill = false,
            Reason = $"promoted from shadow on {now:yyyy-MM-dd}: {proposal.Value}; reason given: {reason.Trim()}. Validation evidence below is the candidate's; no skill is claimed from operations alone",
            SkillVsRw = candidate.SkillVsRw, Coverage80 = candidate.Coverage80, QuantileScore = candidate.QuantileScore, Origins = candidate.N,
            BelowP10 = candidate.BelowP10, AboveP90 = candidate.AboveP90, CoveragePValue = candidate.CoveragePValue,
        };
        Release.Save(cards, path);
        var record = new PromotionRecord(now, horizon, $"{old.Model}@{old.Version}", shadow, proposal.Value, reason.Trim(), before, OperationalModels.ReleaseId(path), kept);
        var log = Path.Combine(releaseDir, "promotions.jsonl");
        JsonLines.Append(log, record);
        Log.Progress($"[operations] h{horizon}: {record.From} replaced by {record.To} (release {before} → {record.ReleaseAfter}); recorded in {Workbench.Relative(log)}");
        return record;
    }
}
