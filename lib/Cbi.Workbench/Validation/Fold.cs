namespace Cbi.Workbench.Validation;

/// <summary>One chronological fold: rows to train on (already purged so that no training target date reaches
/// the first scored date, plus any embargo) and rows to score. Rows index a <see cref="Models.Frame"/>.</summary>
public sealed record Fold(int Index, int Horizon, int[] TrainRows, int[] ScoreRows, string Split);
