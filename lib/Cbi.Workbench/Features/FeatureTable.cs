using Cbi.Workbench.IO;
using Cbi.Workbench.Models;
using Cbi.Workbench.Reporting;
using Parquet;
using Parquet.Schema;

namespace Cbi.Workbench.Features;

/// <summary>The feature table on disk: Parquet with a <c>date</c> column (DATE) and one DOUBLE column per
/// feature in the locked order; a missing value is a Parquet null (never a fill value).</summary>
public static class FeatureTable
{
    /// <summary>Writes <paramref name="frame"/>'s dates and features atomically (temp file, then rename).</summary>
    /// <param name="frame">The frame; its close and weights are not written.</param>
    /// <param name="path">Destination Parquet file (replaced if it exists).</param>
    /// <exception cref="ArgumentException">A feature is named <c>date</c>.</exception>
    public static void WriteParquet(Frame frame, string path)
    {
        var dateField = new DataField<DateOnly>("date");
        var fields = frame.FeatureNames.Select(n => new DataField<double?>(n)).ToArray();
        if (frame.FeatureNames.Contains("date")) throw new ArgumentException("a feature may not be called 'date'.");
        var schema = new ParquetSchema(new Field[] { dateField }.Concat(fields).ToArray());
        AtomicFile.Write(path, tmp =>
        {
            using var fs = File.Create(tmp);
            WriteAsync(fs, schema, dateField, fields, frame).GetAwaiter().GetResult();
        });
    }

    static async Task WriteAsync(Stream s, ParquetSchema schema, DataField<DateOnly> dateField, DataField<double?>[] fields, Frame frame)
    {
        await using var writer = await ParquetWriter.CreateAsync(schema, s);
        using var rg = writer.CreateRowGroup();
        await rg.WriteAsync<DateOnly>(dateField, frame.Dates.AsMemory());
        for (var j = 0; j < fields.Length; j++)
        {
            var col = new double?[frame.Rows];
            var src = frame.Features[j];
            for (var i = 0; i < col.Length; i++) col[i] = double.IsNaN(src[i]) ? null : src[i];
            await rg.WriteAsync<double>(fields[j], col.AsMemory());
        }
    }
}
