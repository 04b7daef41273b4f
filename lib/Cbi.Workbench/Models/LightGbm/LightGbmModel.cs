using Cbi.Workbench.IO;
using System.Text;
using Cbi.Workbench.Reporting;

namespace Cbi.Workbench.Models.LightGbm;

/// <summary>A dense feature matrix for LightGBM, stored row-major as float64. NaN means missing (LightGBM's
/// default handling); ±∞ is rejected because LightGBM would silently bin it with the extreme values.</summary>
internal sealed class LightGbmMatrix
{
    internal readonly double[] Data;
    public int Rows { get; }
    public int Columns { get; }

    LightGbmMatrix(double[] data, int rows, int cols, string source)
    {
        for (var i = 0; i < data.Length; i++)
            if (double.IsInfinity(data[i]))
                throw new ArgumentException($"{source}: row {i / cols}, column {i % cols} is {data[i]}; use NaN for missing values, infinities are not accepted.");
        Data = data; Rows = rows; Columns = cols;
    }

    /// <summary>Row-major values, <paramref name="rows"/> × <paramref name="columns"/>.</summary>
    public static LightGbmMatrix FromRowMajor(double[] values, int rows, int columns)
    {
        Shape(values.Length, rows, columns);
        return new((double[])values.Clone(), rows, columns, "matrix");
    }

    public static LightGbmMatrix FromRowMajor(float[] values, int rows, int columns)
    {
        Shape(values.Length, rows, columns);
        return new(Array.ConvertAll(values, v => (double)v), rows, columns, "matrix");
    }

    /// <summary>Selected rows of column-major data (the <see cref="Frame"/> layout <c>columns[j][row]</c>).</summary>
    public static LightGbmMatrix FromColumns(IReadOnlyList<double[]> columns, IReadOnlyList<int> rows)
    {
        if (columns.Count == 0) throw new ArgumentException("A LightGBM matrix needs at least one feature column.", nameof(columns));
        var c = columns.Count;
        var data = new double[rows.Count * c];
        for (var r = 0; r < rows.Count; r++)
            for (var j = 0; j < c; j++)
            {
                var src = rows[r];
                if ((uint)src >= (uint)columns[j].Length)
                    throw new ArgumentOutOfRangeException(nameof(rows), src, $"row index {src} is outside column {j} ({columns[j].Length} rows).");
                data[r * c + j] = columns[j][src];
            }
        return new(data, rows.Count, c, "feature columns");
    }

    static void Shape(int length, int rows, int columns)
    {
        if (rows < 0 || columns < 1 || (long)rows * columns != length)
            throw new ArgumentException($"A {rows} × {columns} matrix needs {(long)rows * columns} values, got {length}.");
    }
}

/// <summary>Rows to learn from: features, labels (finite) and optional sample weights (finite, ≥ 0, not all zero; only
/// their ratios matter: they reach LightGBM rescaled to mean 1).</summary>
internal sealed record LightGbmDataset(LightGbmMatrix X, double[] Label, double[]? Weight = null)
{
    internal void Validate(string role)
    {
        if (X.Rows == 0) throw new ArgumentException($"The {role} set has no rows.");
        if (Label.Length != X.Rows) throw new ArgumentException($"The {role} set has {X.Rows} rows but {Label.Length} labels.");
        for (var i = 0; i < Label.Length; i++)
            if (!double.IsFinite(Label[i]))
                throw new ArgumentException($"The {role} set's label at row {i} is {Label[i]}: labels must be finite (drop rows whose target is unknown before training).");
        if (Weight == null) return;
        if (Weight.Length != X.Rows) throw new ArgumentException($"The {role} set has {X.Rows} rows but {Weight.Length} weights.");
        var sum = 0.0;
        for (var i = 0; i < Weight.Length; i++)
        {
            if (!double.IsFinite(Weight[i]) || Weight[i] < 0)
                throw new ArgumentException($"The {role} set's weight at row {i} is {Weight[i]}: weights must be finite and ≥ 0.");
            sum += Weight[i];
        }
        if (sum <= 0) throw new ArgumentException($"The {role} set's weights are all zero.");
    }
}

/// <summary>A trained (or loaded) LightGBM booster. Training ends by round-tripping the model through
/// LightGBM's text format, so a trained model and one loaded from its file are the same object and hold no
/// reference to the training data. Dispose releases the native booster.</summary>
internal sealed unsafe class LightGbmModel : IDisposable
{
    readonly BoosterHandle booster;
    readonly string modelText;

    LightGbmModel(BoosterHandle booster, string modelText, string[] featureNames, int bestIteration, double bestScore, double[] curve)
    {
        this.booster = booster; this.modelText = modelText;
        NativeResources.Acquired();
        FeatureNames = featureNames; BestIteration = bestIteration; BestValidationScore = bestScore; ValidationCurve = curve;
        Native.Check(Native.LGBM_BoosterGetNumFeature(booster, out var nf), "LGBM_BoosterGetNumFeature");
        FeatureCount = nf;
    }

    public int FeatureCount { get; }
    /// <summary>Feature names as given at training (as written in the model file after loading).</summary>
    public IReadOnlyList<string> FeatureNames { get; }
    /// <summary>Boosting rounds kept in the model (the best round under early stopping).</summary>
    public int BestIteration { get; }
    /// <summary>Validation metric at <see cref="BestIteration"/>; NaN without a validation set or after loading.</summary>
    public double BestValidationScore { get; }
    /// <summary>Validation metric after each round that was trained (empty without a validation set).</summary>
    public IReadOnlyList<double> ValidationCurve { get; }

    public static LightGbmModel Train(LightGbmDataset train, LightGbmOptions options, LightGbmDataset? validation = null,
        IReadOnlyList<string>? featureNames = null)
    {
        options.Validate();
        train.Validate("training");
        validation?.Validate("validation");
        if (validation != null && validation.X.Columns != train.X.Columns)
            throw new ArgumentException($"The validation set has {validation.X.Columns} features, the training set {train.X.Columns}.");
        if (options.EarlyStoppingRounds > 0 && validation == null)
            throw new ArgumentException("Early stopping needs a validation set.", nameof(options));
        if (featureNames != null && featureNames.Count != train.X.Columns)
            throw new ArgumentException($"{featureNames.Count} feature names for {train.X.Columns} columns.", nameof(featureNames));
        var names = featureNames?.ToArray() ?? Enumerable.Range(0, train.X.Columns).Select(j => "f" + j).ToArray();

        using var trainSet = CreateDataset(train, options, null, names);
        using var validSet = validation == null ? null : CreateDataset(validation, options, trainSet, null);
        var bp = Native.Utf8z(options.BoosterParameters());
        IntPtr bh;
        fixed (byte* p = bp) Native.Check(Native.LGBM_BoosterCreate(trainSet, p, out bh), "LGBM_BoosterCreate");
        using var training = new BoosterHandle(bh);
        if (validSet != null) Native.Check(Native.LGBM_BoosterAddValidData(training, validSet), "LGBM_BoosterAddValidData");

        var curve = new List<double>();
        int best = 0; double bestScore = double.NaN;
        var evalBuf = new double[8];
        // A round that finds no split adds no tree. Without sampling every later round would be the same round, so
        // training ends; with feature or row sampling the next round draws other columns or rows and may split, which
        // is why LightGBM's own training loop (lgb.train) goes on. Rounds are counted as calls, trees as trees.
        var sampling = options.FeatureFraction < 1 || (options.BaggingFraction < 1 && options.BaggingFreq > 0);
        var trees = 0;
        for (var it = 1; it <= options.Iterations; it++)
        {
            Native.Check(Native.LGBM_BoosterUpdateOneIter(training, out var finished), "LGBM_BoosterUpdateOneIter");
            Native.Check(Native.LGBM_BoosterGetCurrentIteration(training, out var current), "LGBM_BoosterGetCurrentIteration");
            if (finished != 0 || current == trees)
            {
                if (!sampling) { Log.Progress($"[lightgbm] no further split possible after round {it - 1}"); break; }
                continue;
            }
            trees = current;
            best = trees;
            if (validSet == null) continue;
            Native.Check(Native.LGBM_BoosterGetEvalCounts(training, out var ne), "LGBM_BoosterGetEvalCounts");
            if (ne > evalBuf.Length) evalBuf = new double[ne];
            int got;
            fixed (double* e = evalBuf) Native.Check(Native.LGBM_BoosterGetEval(training, 1, out got, e), "LGBM_BoosterGetEval");
            var score = evalBuf[0];
            curve.Add(score);
            options.OnValidation?.Invoke(trees, score);
            if (options.EarlyStoppingRounds == 0) { bestScore = score; continue; }
            var bestIndex = IndexOfMin(curve);
            if (trees - (bestIndex + 1) >= options.EarlyStoppingRounds) break;
        }
        if (options.EarlyStoppingRounds > 0 && curve.Count > 0)
        {
            var bi = IndexOfMin(curve);
            best = bi + 1; bestScore = curve[bi];
        }
        if (best == 0) throw new InvalidOperationException("LightGBM trained no tree: the training rows offer no split (constant label or too few rows for min_data_in_leaf).");
        var text = SaveToString(training, best);
        return FromModelText(text, names, best, bestScore, curve.ToArray());
    }

    static int IndexOfMin(List<double> xs)
    {
        var b = 0;
        for (var i = 1; i < xs.Count; i++) if (xs[i] < xs[b]) b = i; // first minimum: the earlier, smaller model
        return b;
    }

    static DatasetHandle CreateDataset(LightGbmDataset d, LightGbmOptions o, DatasetHandle? reference, string[]? names)
    {
        var dp = Native.Utf8z(o.DatasetParameters());
        IntPtr h;
        fixed (double* x = d.X.Data)
        fixed (byte* p = dp)
            Native.Check(Native.LGBM_DatasetCreateFromMat(x, Native.Float64, d.X.Rows, d.X.Columns, 1, p,
                reference?.DangerousGetHandle() ?? IntPtr.Zero, out h), "LGBM_DatasetCreateFromMat");
        var ds = new DatasetHandle(h);
        try
        {
            SetField(ds, "label", Array.ConvertAll(d.Label, v => (float)v));
            if (d.Weight != null) SetField(ds, "weight", Array.ConvertAll(MeanOne(d.Weight), v => (float)v));
            if (names != null) SetNames(ds, names);
            return ds;
        }
        catch { ds.Dispose(); throw; }
    }

    /// <summary>Sample weights rescaled to mean 1 over the rows given (w_i · n / Σw). LightGBM compares the summed
    /// hessians — for a weighted loss, summed weights — with absolute limits (min_sum_hessian_in_leaf, the L2 term
    /// λ in the leaf value −G/(H + λ)), so weights of 0.001 or 50 everywhere grew different trees than weights of 1;
    /// at mean 1 those limits mean what they mean unweighted and only the weights' ratios matter.</summary>
    /// <exception cref="ArgumentException">the weights sum to zero or a non-finite value.</exception>
    internal static double[] MeanOne(double[] w)
    {
        double sum = 0;
        foreach (var v in w) sum += v;
        if (!(sum > 0) || !double.IsFinite(sum)) throw new ArgumentException($"Sample weights sum to {sum}: they must sum to a finite value > 0.", nameof(w));
        var scale = w.Length / sum;
        return Array.ConvertAll(w, v => v * scale);
    }

    static void SetField(DatasetHandle ds, string field, float[] values)
    {
        var f = Native.Utf8z(field);
        fixed (byte* fp = f)
        fixed (float* v = values)
            Native.Check(Native.LGBM_DatasetSetField(ds, fp, v, values.Length, Native.Float32), "LGBM_DatasetSetField(" + field + ")");
    }

    /// <summary>LightGBM rejects JSON-special characters in names and splits its text format on spaces, so the
    /// file gets a sanitised spelling; the model keeps the original names for reports.</summary>
    internal static string FileSafeName(string name)
    {
        var sb = new StringBuilder(name.Length);
        foreach (var ch in name) sb.Append(char.IsAsciiLetterOrDigit(ch) || ch is '_' or '.' or '-' ? ch : '_');
        return sb.Length == 0 ? "_" : sb.ToString();
    }

    static void SetNames(DatasetHandle ds, string[] names)
    {
        var bufs = names.Select(n => Native.Utf8z(FileSafeName(n))).ToArray();
        var handles = bufs.Select(b => System.Runtime.InteropServices.GCHandle.Alloc(b, System.Runtime.InteropServices.GCHandleType.Pinned)).ToArray();
        try
        {
            var ptrs = new IntPtr[handles.Length];
            for (var i = 0; i < ptrs.Length; i++) ptrs[i] = handles[i].AddrOfPinnedObject();
            fixed (IntPtr* pp = ptrs) Native.Check(Native.LGBM_DatasetSetFeatureNames(ds, (byte**)pp, names.Length), "LGBM_DatasetSetFeatureNames");
        }
        finally { foreach (var h in handles) h.Free(); }
    }

    static string SaveToString(BoosterHandle b, int numIteration)
    {
        Native.Check(Native.LGBM_BoosterSaveModelToString(b, 0, numIteration, Native.ImportanceGain, 0, out var len, null), "LGBM_BoosterSaveModelToString");
        var buf = new byte[len];
        fixed (byte* p = buf)
            Native.Check(Native.LGBM_BoosterSaveModelToString(b, 0, numIteration, Native.ImportanceGain, len, out len, p), "LGBM_BoosterSaveModelToString");
        return Encoding.UTF8.GetString(buf, 0, (int)len - 1);
    }

    /// <summary>The model in LightGBM's own text format (loadable by any LightGBM ≥ 4).</summary>
    public string ToModelString() => modelText;

    /// <summary>Writes the model text atomically.</summary>
    public void Save(string path) => AtomicFile.WriteAllText(path, modelText);

    public static LightGbmModel Load(string path)
    {
        if (!File.Exists(path)) throw new FileNotFoundException($"LightGBM model file not found: {path}", path);
        try { return FromModelString(File.ReadAllText(path)); }
        catch (FormatException e) { throw new FormatException($"{path}: {e.Message}", e); }
    }

    /// <summary>Parses LightGBM's text format. The header is checked in managed code first: LightGBM's parser
    /// trusts its input, and a truncated or foreign file must give an error, never a native crash.</summary>
    public static LightGbmModel FromModelString(string text)
    {
        var names = CheckModelText(text);
        return FromModelText(text, names, -1, double.NaN, []);
    }

    static string[] CheckModelText(string text)
    {
        var lines = text.Split('\n');
        if (lines.Length < 4 || lines[0].TrimEnd('\r') != "tree" || !lines[1].StartsWith("version=v", StringComparison.Ordinal))
            throw new FormatException("not a LightGBM text model (expected a first line 'tree' and a second 'version=v…').");
        string? Field(string key) => lines.Select(l => l.TrimEnd('\r')).FirstOrDefault(l => l.StartsWith(key + "=", StringComparison.Ordinal))?[(key.Length + 1)..];
        if (Field("num_class") != "1") throw new FormatException($"LightGBM model has num_class={Field("num_class") ?? "(missing)"}; only single-output models are supported.");
        if (!int.TryParse(Field("max_feature_idx"), out var maxIdx) || maxIdx < 0) throw new FormatException("LightGBM model lacks a valid max_feature_idx line.");
        var names = Field("feature_names")?.Split(' ') ?? throw new FormatException("LightGBM model lacks its feature_names line.");
        if (names.Length != maxIdx + 1) throw new FormatException($"LightGBM model lists {names.Length} feature names but max_feature_idx={maxIdx}.");
        if (!text.Contains("\nend of trees", StringComparison.Ordinal)) throw new FormatException("LightGBM model text is truncated (no 'end of trees' line).");
        return names;
    }

    static LightGbmModel FromModelText(string text, string[] names, int best, double bestScore, double[] curve)
    {
        if (best < 0) CheckModelText(text);
        var t = Native.Utf8z(text);
        IntPtr h; int iters;
        fixed (byte* p = t) Native.Check(Native.LGBM_BoosterLoadModelFromString(p, out iters, out h), "LGBM_BoosterLoadModelFromString");
        var handle = new BoosterHandle(h);
        try { return new LightGbmModel(handle, text, names, best < 0 ? iters : best, bestScore, curve); }
        catch { handle.Dispose(); throw; }
    }

    void CheckInput(LightGbmMatrix x)
    {
        ObjectDisposedException.ThrowIf(booster.IsClosed, this);
        if (x.Columns != FeatureCount)
            throw new ArgumentException($"The model was trained on {FeatureCount} features but the matrix has {x.Columns} columns.", nameof(x));
    }

    double[] PredictRaw(LightGbmMatrix x, int type, int threads)
    {
        CheckInput(x);
        var width = type == Native.PredictContrib ? FeatureCount + 1 : 1;
        var result = new double[(long)x.Rows * width];
        if (x.Rows == 0) return result;
        var pp = Native.Utf8z($"num_threads={threads}");
        long len;
        fixed (double* d = x.Data)
        fixed (double* r = result)
        fixed (byte* p = pp)
            Native.Check(Native.LGBM_BoosterPredictForMat(booster, d, Native.Float64, x.Rows, x.Columns, 1, type, 0, 0, p, out len, r), "LGBM_BoosterPredictForMat");
        if (len != result.Length) throw new InvalidOperationException($"LightGBM returned {len} values, expected {result.Length}.");
        return result;
    }

    public double[] Predict(LightGbmMatrix x, int threads = 1) => PredictRaw(x, Native.PredictNormal, threads);

    /// <summary>SHAP contributions (TreeSHAP): per row, one value per feature then the bias (expected value)
    /// last; each row sums to the raw prediction.</summary>
    public double[][] Contributions(LightGbmMatrix x, int threads = 1)
    {
        var flat = PredictRaw(x, Native.PredictContrib, threads);
        var w = FeatureCount + 1;
        var rows = new double[x.Rows][];
        for (var i = 0; i < x.Rows; i++) rows[i] = flat.AsSpan(i * w, w).ToArray();
        return rows;
    }

    /// <summary>Total gain of the splits on each feature (or split counts when <paramref name="gain"/> is false).</summary>
    public double[] Importance(bool gain = true)
    {
        ObjectDisposedException.ThrowIf(booster.IsClosed, this);
        var r = new double[FeatureCount];
        fixed (double* p = r)
            Native.Check(Native.LGBM_BoosterFeatureImportance(booster, 0, gain ? Native.ImportanceGain : Native.ImportanceSplit, p), "LGBM_BoosterFeatureImportance");
        return r;
    }

    public void Dispose()
    {
        if (booster.IsClosed) return;
        booster.Dispose();
        NativeResources.Released();
    }
}
