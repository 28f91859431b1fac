using System.Net.Http.Json;
using System.Text.Json;
using Kaohe.Data;
using Microsoft.EntityFrameworkCore;

namespace Kaohe.Reliability;

/// <summary>Test data that the demo does not hold: a fresh quarter being collected, with the housing scheme of 2023-Q1 cloned and active.</summary>
public static class Periods
{
    public const string Fresh = "2024-Q1";

    /// <summary>
    /// The housing indicators a platform may push in the tests, with a value (and a target where the method needs one): the leaves
    /// that take a value (A1–A5 are derived from base figures by formula, so nobody pushes them).
    /// </summary>
    public static readonly (string Indicator, double Value, double? Target)[] PlatformIndicators =
        [("B1", 0.95, null), ("C2", 0.99, null), ("D1", 96.5, null), ("E1", 5.0, 6)];

    public static readonly string[] HousingUnits = ["zj-lasa", "zj-xigaze", "zj-qamdo", "zj-nyingchi", "zj-shannan", "zj-nagqu", "zj-ngari"];

    public static async Task EnsureFreshAsync(Func<KaoheDbContext> dbs, string baseUrl)
    {
        await using (var db = dbs())
        {
            if (!await db.Periods.AnyAsync(p => p.Id == Fresh))
            {
                var period = new Period(2024, 1, new DateOnly(2024, 4, 10));
                period.MoveTo(PeriodStatus.Collecting);
                db.Periods.Add(period);
                await db.SaveChangesAsync();
            }
        }
        using var office = await Clients.BearerAsync(baseUrl, "office");
        var schemes = (await office.GetFromJsonAsync<JsonElement[]>($"/api/v1/schemes?period={Fresh}&category=housing"))!;
        if (schemes.Any(s => s.GetProperty("status").GetString() == "Active")) return;
        var q1 = (await office.GetFromJsonAsync<JsonElement[]>("/api/v1/schemes?period=2023-Q1&category=housing"))!
            .First(s => s.GetProperty("status").GetString() == "Active");
        var clone = await office.PostAsync($"/api/v1/schemes/{q1.GetProperty("id").GetInt32()}/clone?period={Fresh}", null);
        clone.EnsureSuccessStatusCode();
        var id = (await clone.Content.ReadFromJsonAsync<JsonElement>()).GetProperty("id").GetInt32();
        (await office.PostAsync($"/api/v1/schemes/{id}/activate", null)).EnsureSuccessStatusCode();
    }
}
