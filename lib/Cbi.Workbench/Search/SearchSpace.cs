using System.Globalization;
using System.Text.Json;

namespace Cbi.Workbench.Search;

/// <summary>One searched parameter. Values travel as doubles: numbers as themselves, categories as their index.</summary>
/// <param name="Name">Parameter name, unique within a <see cref="SearchSpace"/>; the key of <see cref="Trial.Values"/>.</param>
public abstract record Parameter(string Name)
{
    /// <summary>Lower/upper bound of the space the sampler works in (log scale for log parameters; for
    /// integers the interval is widened by half a step so that every integer has equal room).</summary>
    internal abstract (double Low, double High) SamplingRange { get; }
    internal abstract double ToSampling(double value);
    /// <summary>Maps a sampling-space point back to a legal value (rounded, clipped).</summary>
    internal abstract double FromSampling(double x);
    internal abstract void Check();
    /// <summary>A value as text for logs and CSV: an integer as digits, a float in G6, a category by its name
    /// (invariant culture).</summary>
    /// <param name="value">A legal value of this parameter (a category index for categorical ones).</param>
    public abstract string Label(double value);
    internal virtual bool IsCategorical => false;
    /// <summary>The range as a reader wants it, e.g. "[7, 63] log" or "{gbdt, dart}".</summary>
    public abstract string Range { get; }
}

/// <summary>An integer parameter taking Low, Low + Step, … up to the largest such value ≤ High; sampled uniformly
/// (or log-uniformly with <paramref name="Log"/>), each integer with equal room.</summary>
/// <param name="Name">Parameter name.</param>
/// <param name="Low">Smallest value (≥ 1 when <paramref name="Log"/>).</param>
/// <param name="High">Largest value (≥ <paramref name="Low"/>).</param>
/// <param name="Step">Spacing of the legal values (≥ 1; must be 1 when <paramref name="Log"/>).</param>
/// <param name="Log">Sample on a log scale.</param>
public sealed record IntParameter(string Name, int Low, int High, int Step = 1, bool Log = false) : Parameter(Name)
{
    internal override (double Low, double High) SamplingRange => Log
        ? (Math.Log(Low - 0.5), Math.Log(High + 0.5))
        : (Low - 0.5 * Step, High + 0.5 * Step);
    internal override double ToSampling(double v) => Log ? Math.Log(v) : v;
    internal override double FromSampling(double x)
    {
        var v = Log ? Math.Exp(x) : x;
        var k = Math.Round((v - Low) / Step);
        return Math.Clamp(Low + k * Step, Low, Low + Math.Floor((double)(High - Low) / Step) * Step);
    }
    internal override void Check()
    {
        if (High < Low) throw new ArgumentException($"Search parameter '{Name}': high {High} < low {Low}.");
        if (Step < 1) throw new ArgumentException($"Search parameter '{Name}': step must be ≥ 1.");
        if (Log && (Low < 1 || Step != 1)) throw new ArgumentException($"Search parameter '{Name}': a log-scale integer needs low ≥ 1 and step 1.");
    }
    /// <summary>The value as an integer in invariant culture (truncated toward zero).</summary>
    /// <param name="value">The value.</param>
    public override string Label(double value) => ((long)value).ToString(CultureInfo.InvariantCulture);
    /// <summary>E.g. "[7, 63] log" or "[10, 200] step 10".</summary>
    public override string Range => $"[{Low}, {High}]{(Step != 1 ? $" step {Step}" : "")}{(Log ? " log" : "")}";
}

/// <summary>A real parameter in [Low, High], sampled uniformly (or log-uniformly with <paramref name="Log"/>).</summary>
/// <param name="Name">Parameter name.</param>
/// <param name="Low">Lower bound, finite (&gt; 0 when <paramref name="Log"/>).</param>
/// <param name="High">Upper bound, finite, ≥ <paramref name="Low"/>.</param>
/// <param name="Log">Sample on a log scale.</param>
public sealed record FloatParameter(string Name, double Low, double High, bool Log = false) : Parameter(Name)
{
    internal override (double Low, double High) SamplingRange => Log ? (Math.Log(Low), Math.Log(High)) : (Low, High);
    internal override double ToSampling(double v) => Log ? Math.Log(v) : v;
    internal override double FromSampling(double x) => Math.Clamp(Log ? Math.Exp(x) : x, Low, High);
    internal override void Check()
    {
        if (!(double.IsFinite(Low) && double.IsFinite(High) && High >= Low))
            throw new ArgumentException($"Search parameter '{Name}': need finite low ≤ high, got [{Low}, {High}].");
        if (Log && Low <= 0) throw new ArgumentException($"Search parameter '{Name}': a log-scale range needs low > 0, got {Low}.");
    }
    /// <summary>The value with 6 significant digits, invariant culture.</summary>
    /// <param name="value">The value.</param>
    public override string Label(double value) => value.ToString("G6", CultureInfo.InvariantCulture);
    /// <summary>E.g. "[0.01, 0.3] log".</summary>
    public override string Range => string.Create(CultureInfo.InvariantCulture, $"[{Low}, {High}]{(Log ? " log" : "")}");
}

/// <summary>A parameter choosing one of a list of names; its value is the 0-based index into <paramref name="Choices"/>.</summary>
/// <param name="Name">Parameter name.</param>
/// <param name="Choices">The distinct choices (at least one).</param>
public sealed record CategoricalParameter(string Name, IReadOnlyList<string> Choices) : Parameter(Name)
{
    internal override (double Low, double High) SamplingRange => (0, Choices.Count - 1);
    internal override double ToSampling(double v) => v;
    internal override double FromSampling(double x) => Math.Clamp(Math.Round(x), 0, Choices.Count - 1);
    internal override void Check()
    {
        if (Choices.Count == 0) throw new ArgumentException($"Search parameter '{Name}' has no choices.");
        if (Choices.Distinct().Count() != Choices.Count) throw new ArgumentException($"Search parameter '{Name}' has duplicate choices.");
    }
    /// <summary>The choice at index <paramref name="value"/>.</summary>
    /// <param name="value">A choice index, 0 … Choices.Count − 1.</param>
    /// <exception cref="ArgumentOutOfRangeException"><paramref name="value"/> is not a valid index.</exception>
    public override string Label(double value) => Choices[(int)value];
    internal override bool IsCategorical => true;
    /// <summary>The choices, e.g. "{gbdt, dart}".</summary>
    public override string Range => "{" + string.Join(", ", Choices) + "}";
}

/// <summary>The parameters a study searches over, declared up front (define-and-run): every trial samples
/// all of them, which keeps trials comparable and the sampler simple and reproducible.</summary>
public sealed class SearchSpace
{
    /// <summary>Declares the space and checks every parameter.</summary>
    /// <param name="parameters">The parameters, in the order trials report them.</param>
    /// <exception cref="ArgumentException">No parameters, a duplicate name, or an invalid parameter: high &lt; low,
    /// non-finite float bounds, integer step &lt; 1, a log-scale integer with low &lt; 1 or step ≠ 1, a log-scale
    /// float with low ≤ 0, or categorical choices empty or duplicated.</exception>
    public SearchSpace(IEnumerable<Parameter> parameters)
    {
        Parameters = parameters.ToArray();
        if (Parameters.Count == 0) throw new ArgumentException("The search space is empty: declare at least one parameter to search.", nameof(parameters));
        foreach (var p in Parameters) p.Check();
        var dup = Parameters.GroupBy(p => p.Name).FirstOrDefault(g => g.Count() > 1);
        if (dup != null) throw new ArgumentException($"Search parameter '{dup.Key}' is declared twice.");
    }

    /// <summary>Same as the constructor: <c>SearchSpace.Of(new IntParameter(…), new FloatParameter(…))</c>.</summary>
    /// <param name="parameters">The parameters.</param>
    /// <exception cref="ArgumentException">As the constructor.</exception>
    public static SearchSpace Of(params Parameter[] parameters) => new(parameters);

    /// <summary>The parameters in declaration order.</summary>
    public IReadOnlyList<Parameter> Parameters { get; }

    /// <summary>The parameter called <paramref name="name"/> (case-sensitive).</summary>
    /// <param name="name">Parameter name.</param>
    /// <exception cref="KeyNotFoundException">No such parameter.</exception>
    public Parameter this[string name] => Parameters.FirstOrDefault(p => p.Name == name)
        ?? throw new KeyNotFoundException($"'{name}' is not a parameter of this search space ({string.Join(", ", Parameters.Select(p => p.Name))}).");

    /// <summary>Canonical JSON, stored with the study so that a resumed study can refuse a changed space.</summary>
    public string ToJson() => JsonSerializer.Serialize(Parameters.Select(p => p switch
    {
        IntParameter i => (object)new { kind = "int", i.Name, i.Low, i.High, i.Step, i.Log },
        FloatParameter f => new { kind = "float", f.Name, f.Low, f.High, f.Log },
        CategoricalParameter c => new { kind = "categorical", c.Name, c.Choices },
        _ => throw new NotSupportedException(p.GetType().Name),
    }));

    /// <summary>Reads <see cref="ToJson"/>'s output back (used to open a stored study without re-declaring it).</summary>
    /// <param name="json">The stored JSON array.</param>
    /// <exception cref="InvalidDataException">A parameter has an unknown kind.</exception>
    /// <exception cref="ArgumentException">The stored parameters are invalid (as the constructor).</exception>
    /// <exception cref="System.Text.Json.JsonException">The text is not JSON.</exception>
    /// <exception cref="KeyNotFoundException">A parameter entry lacks a property.</exception>
    public static SearchSpace FromJson(string json)
    {
        using var doc = JsonDocument.Parse(json);
        return new(doc.RootElement.EnumerateArray().Select(e =>
        {
            var name = e.GetProperty("Name").GetString()!;
            return e.GetProperty("kind").GetString() switch
            {
                "int" => (Parameter)new IntParameter(name, e.GetProperty("Low").GetInt32(), e.GetProperty("High").GetInt32(), e.GetProperty("Step").GetInt32(), e.GetProperty("Log").GetBoolean()),
                "float" => new FloatParameter(name, e.GetProperty("Low").GetDouble(), e.GetProperty("High").GetDouble(), e.GetProperty("Log").GetBoolean()),
                "categorical" => new CategoricalParameter(name, e.GetProperty("Choices").EnumerateArray().Select(c => c.GetString()!).ToArray()),
                var k => throw new InvalidDataException($"unknown parameter kind '{k}' in a stored search space"),
            };
        }));
    }
}
