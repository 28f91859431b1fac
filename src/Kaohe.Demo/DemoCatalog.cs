namespace Kaohe.Demo;

/// <summary>
/// The organisations of the demo, from the seed: the region's 7 prefectures with their housing
/// and urban-management bureaus, their counties, and the department's affiliated units and
/// divisions. Prefecture and county names are real; everything assessed about them is invented.
/// Ids are stable: schemes, data and accounts of the demo refer to them.
/// </summary>
public static class DemoCatalog
{
    public sealed record Prefecture(string Id, string Name, string NameEn, string SeatDistrict, string SeatDistrictEn, IReadOnlyList<string> Counties);

    public enum Kind { HousingBureau, UrbanManagementBureau, AffiliatedUnit, Division }

    /// <summary>Level of an urban-management subject: whole prefecture, its seat district, or its county towns.</summary>
    public enum Level { Prefecture, SeatDistrict, CountyTowns, Department }

    public sealed record DemoUnit(string Id, string Name, string NameEn, Kind Kind, Level Level, string? Prefecture, string Group);

    /// <summary>拉萨 日喀则 昌都 林芝 山南 那曲 阿里, in the seed's order.</summary>
    public static IReadOnlyList<Prefecture> Prefectures { get; } =
    [
        new("lasa", "拉萨市", "Lhasa", "城关区", "Chengguan District", ["林周县", "当雄县", "尼木县", "曲水县", "墨竹工卡县", "达孜区", "堆龙德庆区"]),
        new("xigaze", "日喀则市", "Xigaze", "桑珠孜区", "Samzhubze District", ["南木林县", "江孜县", "定日县", "萨迦县", "拉孜县", "昂仁县", "谢通门县", "白朗县", "仁布县", "康马县", "定结县", "仲巴县", "亚东县", "吉隆县", "聂拉木县", "萨嘎县", "岗巴县"]),
        new("qamdo", "昌都市", "Qamdo", "卡若区", "Karuo District", ["江达县", "贡觉县", "类乌齐县", "丁青县", "察雅县", "八宿县", "左贡县", "芒康县", "洛隆县", "边坝县"]),
        new("nyingchi", "林芝市", "Nyingchi", "巴宜区", "Bayi District", ["工布江达县", "米林市", "墨脱县", "波密县", "察隅县", "朗县"]),
        new("shannan", "山南市", "Shannan", "乃东区", "Nedong District", ["扎囊县", "贡嘎县", "桑日县", "琼结县", "曲松县", "措美县", "洛扎县", "加查县", "隆子县", "错那市", "浪卡子县"]),
        new("nagqu", "那曲市", "Nagqu", "色尼区", "Seni District", ["嘉黎县", "比如县", "聂荣县", "安多县", "申扎县", "索县", "班戈县", "巴青县", "尼玛县", "双湖县"]),
        new("ngari", "阿里地区", "Ngari", "噶尔县", "Gar County", ["普兰县", "札达县", "日土县", "革吉县", "改则县", "措勤县"]),
    ];

    // Ranking groups (分类考核排名) as the seed names them.
    public const string GroupHousing = "地市住建局";
    public const string GroupUrbanWhole = "地市综合";
    public const string GroupUrbanSeat = "政府所在区";
    public const string GroupUrbanCounty = "县城";
    public const string GroupAffiliated = "厅属单位";
    public const string GroupBusinessDivision = "业务处室";
    public const string GroupGeneralDivision = "综合处室";

    public static IReadOnlyList<DemoUnit> HousingBureaus { get; } =
        [.. Prefectures.Select(p => new DemoUnit($"zj-{p.Id}", $"{p.Name}住房和城乡建设局", $"{p.NameEn} Housing and Urban-Rural Development Bureau",
            Kind.HousingBureau, Level.Prefecture, p.Id, GroupHousing))];

    /// <summary>Each urban-management bureau is assessed three times: prefecture-wide, seat district, county towns.</summary>
    public static IReadOnlyList<DemoUnit> UrbanManagementSubjects { get; } =
    [
        .. Prefectures.Select(p => new DemoUnit($"cg-{p.Id}", $"{p.Name}城市管理局（地市综合）", $"{p.NameEn} Urban Management Bureau (prefecture-wide)",
            Kind.UrbanManagementBureau, Level.Prefecture, p.Id, GroupUrbanWhole)),
        .. Prefectures.Select(p => new DemoUnit($"cg-{p.Id}-seat", $"{p.Name}{p.SeatDistrict}", $"{p.NameEn} {p.SeatDistrictEn}",
            Kind.UrbanManagementBureau, Level.SeatDistrict, p.Id, GroupUrbanSeat)),
        .. Prefectures.Select(p => new DemoUnit($"cg-{p.Id}-county", $"{p.Name}所属县城", $"{p.NameEn} county towns",
            Kind.UrbanManagementBureau, Level.CountyTowns, p.Id, GroupUrbanCounty)),
    ];

    /// <summary>厅属单位 (invented but typical of a regional housing department).</summary>
    public static IReadOnlyList<DemoUnit> AffiliatedUnits { get; } =
    [
        new("jky", "自治区建筑科学研究院", "Regional Academy of Building Research", Kind.AffiliatedUnit, Level.Department, null, GroupAffiliated),
        new("zjzx", "自治区住房资金管理中心", "Regional Housing Fund Management Centre", Kind.AffiliatedUnit, Level.Department, null, GroupAffiliated),
        new("zaz", "自治区建设工程质量安全监督总站", "Regional Construction Quality and Safety Supervision Station", Kind.AffiliatedUnit, Level.Department, null, GroupAffiliated),
        new("kcy", "自治区建筑勘察设计研究院", "Regional Institute of Survey and Design", Kind.AffiliatedUnit, Level.Department, null, GroupAffiliated),
        new("zjz", "自治区建设工程造价管理站", "Regional Construction Cost Management Station", Kind.AffiliatedUnit, Level.Department, null, GroupAffiliated),
        new("xxzx", "厅信息中心", "Department Information Centre", Kind.AffiliatedUnit, Level.Department, null, GroupAffiliated),
    ];

    /// <summary>机关处室, split into 业务处室 and 综合处室 for ranking.</summary>
    public static IReadOnlyList<DemoUnit> Divisions { get; } =
    [
        new("scc", "建筑市场监管处", "Construction Market Supervision Division", Kind.Division, Level.Department, null, GroupBusinessDivision),
        new("zac", "工程质量安全监管处", "Construction Quality and Safety Division", Kind.Division, Level.Department, null, GroupBusinessDivision),
        new("cgc", "城市管理监督处", "Urban Management Supervision Division", Kind.Division, Level.Department, null, GroupBusinessDivision),
        new("bzc", "住房保障处", "Housing Security Division", Kind.Division, Level.Department, null, GroupBusinessDivision),
        new("czc", "村镇建设处", "Village and Town Construction Division", Kind.Division, Level.Department, null, GroupBusinessDivision),
        new("fdc", "房地产市场监管处", "Real Estate Market Supervision Division", Kind.Division, Level.Department, null, GroupBusinessDivision),
        new("bgs", "办公室", "General Office", Kind.Division, Level.Department, null, GroupGeneralDivision),
        new("rsc", "政工人事处", "Personnel Division", Kind.Division, Level.Department, null, GroupGeneralDivision),
        new("cwc", "计划财务处", "Planning and Finance Division", Kind.Division, Level.Department, null, GroupGeneralDivision),
        new("fgc", "政策法规处", "Policy and Regulations Division", Kind.Division, Level.Department, null, GroupGeneralDivision),
        new("dw", "机关党委", "Party Committee of the Department", Kind.Division, Level.Department, null, GroupGeneralDivision),
    ];

    /// <summary>
    /// The five business divisions that score the housing bureaus on their own line (变"一家考"为"多方评"):
    /// they are scoring divisions as well as assessed divisions.
    /// </summary>
    public static IReadOnlyList<string> ScoringDivisionIds { get; } = ["scc", "zac", "cgc", "bzc", "fdc"];

    public static IReadOnlyList<DemoUnit> All { get; } = [.. HousingBureaus, .. UrbanManagementSubjects, .. AffiliatedUnits, .. Divisions];
}
