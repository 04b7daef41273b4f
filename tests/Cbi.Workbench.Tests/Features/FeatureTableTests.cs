using Cbi.Workbench.Features;
using Cbi.Workbench.Models;
using DuckDB.NET.Data;

namespace Cbi.Workbench.Tests.Features;

public class FeatureTableTests
{
    [Fact]
    public void parquet_has_a_date_column_then_features_in_locked_order_with_nulls_for_missing()
    {
        // Constructed values: this tests the file format, not market data.
        DateOnly[] d = [new(2020, 1, 2), new(2020, 1, 3)];
        var f = new Frame(d, [double.NaN, double.NaN], ["b_second", "a_first"], [[1.5, double.NaN], [-2, 3]]);
        var path = Path.Combine(Directory.CreateTempSubdirectory("cbi-ft").FullName, "features.parquet");
        FeatureTable.WriteParquet(f, path);

        // Read back with DuckDB: an independent Parquet reader.
        using var db = new DuckDBConnection("Data Source=:memory:");
        db.Open();
        using var cmd = db.CreateCommand();
        cmd.CommandText = $"SELECT * FROM read_parquet('{path}') ORDER BY date";
        using var r = cmd.ExecuteReader();
        Assert.Equal(["date", "b_second", "a_first"], Enumerable.Range(0, r.FieldCount).Select(r.GetName));
        Assert.True(r.Read());
        Assert.Equal(new DateOnly(2020, 1, 2), r.GetFieldValue<DateOnly>(0));
        Assert.Equal(1.5, r.GetDouble(1)); Assert.Equal(-2, r.GetDouble(2));
        Assert.True(r.Read());
        Assert.True(r.IsDBNull(1));
        Assert.Equal(3, r.GetDouble(2));
        Assert.False(r.Read());
        Assert.Single(Directory.GetFiles(Path.GetDirectoryName(path)!)); // no temp file left behind
    }

    [Fact]
    public void unknown_feature_names_are_rejected_naming_the_feature()
    {
        var e = Assert.Throws<ArgumentException>(() => FeatureCatalogue.Select(["rsi_14", "rsi_41"]));
        Assert.Contains("'rsi_41'", e.Message);
        Assert.Equal(["ret_1d", "rsi_14"], FeatureCatalogue.Select(["rsi_14", "ret_1d"])); // locked order, not request order
    }

    [Fact]
    public void the_catalogue_is_curated_and_unique()
    {
        Assert.InRange(FeatureCatalogue.All.Count, 30, 60);
        Assert.Equal(FeatureCatalogue.Names.Count, FeatureCatalogue.Names.Distinct().Count());
        Assert.All(FeatureCatalogue.All, s => Assert.False(string.IsNullOrWhiteSpace(s.Source + s.Lag + s.Units)));
    }
}
