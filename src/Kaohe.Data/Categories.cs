namespace Kaohe.Data;

/// <summary>The four subject categories of the seed (被考核对象), each with its own scheme.</summary>
public static class Categories
{
    public sealed record Category(string Code, string NameZh, string NameEn, UnitKind Kind);

    public static IReadOnlyList<Category> All { get; } =
    [
        new("housing", "地市住建局", "Prefecture housing bureaus", UnitKind.HousingBureau),
        new("urban", "地市城管局", "Prefecture urban-management bureaus", UnitKind.UrbanManagementBureau),
        new("affiliated", "厅属单位", "Affiliated units", UnitKind.AffiliatedUnit),
        new("divisions", "机关处室", "Internal divisions", UnitKind.Division),
    ];

    public static Category? Find(string? code) => All.FirstOrDefault(c => c.Code == code);

    /// <summary>The category a unit of this kind is assessed in (null for a kind no category assesses, or none).</summary>
    public static Category? Of(UnitKind? kind) => All.FirstOrDefault(c => c.Kind == kind);

    public static string Name(string code, bool english) => Find(code) is { } c ? (english ? c.NameEn : c.NameZh) : code;
}
