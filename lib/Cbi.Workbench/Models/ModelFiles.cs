using System.Text.Json;
using System.Text.Json.Serialization;
using Cbi.Workbench.IO;

namespace Cbi.Workbench.Models;

/// <summary>JSON state files of fitted models. Doubles are written in their shortest round-trip form (so a reloaded
/// model predicts bit-identically) and NaN/∞ as named literals.</summary>
internal static class ModelFiles
{
    internal static readonly JsonSerializerOptions Json = new()
    {
        WriteIndented = true,
        NumberHandling = JsonNumberHandling.AllowNamedFloatingPointLiterals,
    };

    internal static void Write<T>(string directory, string file, T value)
    {
        Directory.CreateDirectory(directory);
        AtomicFile.WriteAllText(Path.Combine(directory, file), JsonSerializer.Serialize(value, Json));
    }

    /// <exception cref="FileNotFoundException">the file is missing.</exception>
    /// <exception cref="InvalidDataException">the file is not the expected JSON (message names the file).</exception>
    internal static T Read<T>(string directory, string file, string what)
    {
        var path = Path.Combine(directory, file);
        if (!File.Exists(path)) throw new FileNotFoundException($"{path} is missing: not a saved {what} model.", path);
        try
        {
            return JsonSerializer.Deserialize<T>(File.ReadAllText(path), Json) ?? throw new InvalidDataException($"{path} is empty.");
        }
        catch (JsonException e)
        {
            throw new InvalidDataException($"{path}: not a saved {what} state ({e.Message}).", e);
        }
    }

    /// <summary>Row of a training date in the frame a loaded (or fitted) model predicts on.</summary>
    /// <exception cref="ArgumentException">the frame has no such trading day.</exception>
    internal static int Row(string model, Frame frame, DateOnly date, string what)
    {
        var r = frame.RowOf(date);
        return r >= 0 ? r : throw new ArgumentException($"{model}: the frame ({frame.Dates[0]:yyyy-MM-dd}…{frame.Dates[^1]:yyyy-MM-dd}) has no row for the {what} {date:yyyy-MM-dd} the model was fitted with.");
    }
}
