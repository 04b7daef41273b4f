using System.Globalization;
using System.Text.Json;

namespace Cbi.Workbench.Search;

/// <summary>One searched parameter. Values travel as doubles: numbers as themselves, categories as their index.</summary>
public abstract record Parameter(string Name)
{
    /// <summary>Lower/upper bound of the space the sampler works in (log scale for log parameters; for
    /// integers the interval is widened by half a step so that every integer has equal room).</summary>
    internal abstract (double Low, double High) SamplingRange { get; }
    internal abstract double ToSampling(double value);
    /// <summary>Maps a sampling-space point back to a legal value (rounded, clipped).</summary>
    internal abstract double FromSampling(double x);
    internal abstract void Check();
    public abstract string Label(double value);
    internal virtual bool IsCategorical => false;
    /// <summary>The range as a reader wants it, e.g. "[7, 63] log" or "{gbdt, dart}".</summary>
    public abstract string Range { get; }
}

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
    public override string Label(double value) => ((long)value).ToString(CultureInfo.InvariantCulture);
    public override string Range => $"[{Low}, {High}]{(Step != 1 ? $" step {Step}" : "")}{(Log ? " log" : "")}";
}

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
    public override string Label(double value) => value.ToString("G6", CultureInfo.InvariantCulture);
    public override string Range => string.Create(CultureInfo.InvariantCulture, $"[{Low}, {High}]{(Log ? " log" : "")}");
}

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
    public override string Label(double value) => Choices[(int)value];
    internal override bool IsCategorical => true;
    public override string Range => "{" + string.Join(", ", Choices) + "}";
}

/// <summary>The parameters a study searches over, declared up front (define-and-run): every trial samples
/// all of them, which keeps trials comparable and the sampler simple and reproducible.</summary>
public sealed class SearchSpace
{
    public SearchSpace(IEnumerable<Parameter> parameters)
    {
        Parameters = parameters.ToArray();
        if (Parameters.Count == 0) throw new ArgumentException("The search space is empty: declare at least one parameter to search.", nameof(parameters));
        foreach (var p in Parameters) p.Check();
        var dup = Parameters.GroupBy(p => p.Name).FirstOrDefault(g => g.Count() > 1);
        if (dup != null) throw new ArgumentException($"Search parameter '{dup.Key}' is declared twice.");
    }

    public static SearchSpace Of(params Parameter[] parameters) => new(parameters);

    public IReadOnlyList<Parameter> Parameters { get; }

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
