namespace Cbi.Workbench.Validation;

/// <summary>One chronological fold: rows to train on (already purged so that no training target date reaches
/// the first scored date, plus any embargo) and rows to score. Rows index a <see cref="Models.Frame"/>.</summary>
/// <param name="Index">0-based fold number in chronological order (0 for the holdout fold).</param>
/// <param name="Horizon">Forecast horizon in ZL trading days (≥ 1).</param>
/// <param name="TrainRows">Training row indices, ascending; each has a target within the frame.</param>
/// <param name="ScoreRows">Scored row indices, ascending; each has a target within the frame.</param>
/// <param name="Split">Name of the split: "validation" (or <see cref="WalkForwardOptions.SplitName"/>) or "holdout".</param>
public sealed record Fold(int Index, int Horizon, int[] TrainRows, int[] ScoreRows, string Split);
