using System.Globalization;

namespace Kaohe.Web.Infrastructure;

/// <summary>
/// The office's time zone, <c>Kaohe:TimeZone</c> (an IANA id; Asia/Shanghai unless set): times are stored in
/// UTC and every time shown to a person — pages, the audit log, exports, bulletins — is shown in this zone,
/// with its name where a bare "10:30" could be misread (issue 18: the audit log said 18:30 for a 10:30 UTC entry
/// and other pages showed UTC unlabelled).
/// </summary>
public sealed class OfficeTime
{
    public const string DefaultZone = "Asia/Shanghai";

    public OfficeTime(IConfiguration config)
    {
        var id = config["Kaohe:TimeZone"];
        Zone = Find(string.IsNullOrWhiteSpace(id) ? DefaultZone : id.Trim());
    }

    public TimeZoneInfo Zone { get; }

    /// <summary>The zone's name for people: 北京时间 for the default, otherwise its id and offset.</summary>
    public string Name => NameIn(Ui.IsEnglish);

    /// <summary>The name in one language, for texts stored in both (notifications).</summary>
    public string NameIn(bool english) => Zone.Id == DefaultZone ? english ? "Beijing time" : "北京时间" : $"{Zone.Id} (UTC{Offset(Zone.BaseUtcOffset)})";

    public DateTimeOffset Local(DateTimeOffset t) => TimeZoneInfo.ConvertTime(t, Zone);

    public DateOnly Date(DateTimeOffset t) => DateOnly.FromDateTime(Local(t).DateTime);

    /// <summary><c>yyyy-MM-dd HH:mm</c> (or with seconds) in the office's zone.</summary>
    public string Format(DateTimeOffset t, bool seconds = false) =>
        Local(t).ToString(seconds ? "yyyy-MM-dd HH:mm:ss" : "yyyy-MM-dd HH:mm", CultureInfo.InvariantCulture);

    public string Format(DateTimeOffset? t, bool seconds = false) => t is { } v ? Format(v, seconds) : "";

    private static string Offset(TimeSpan o) => (o < TimeSpan.Zero ? "-" : "+") + o.Duration().ToString(@"hh\:mm", CultureInfo.InvariantCulture);

    private static TimeZoneInfo Find(string id)
    {
        try
        {
            return TimeZoneInfo.FindSystemTimeZoneById(id);
        }
        catch (TimeZoneNotFoundException) when (id == DefaultZone)
        {
            // A machine without the time-zone database: China has kept UTC+8 without daylight saving since 1991.
            return TimeZoneInfo.CreateCustomTimeZone(DefaultZone, TimeSpan.FromHours(8), "China Standard Time", "China Standard Time");
        }
        catch (TimeZoneNotFoundException e)
        {
            throw new InvalidOperationException($"Kaohe:TimeZone：找不到时区“{id}”，请填写 IANA 时区名，如 Asia/Shanghai / Kaohe:TimeZone: no time zone \"{id}\"; use an IANA id such as Asia/Shanghai", e);
        }
    }
}
