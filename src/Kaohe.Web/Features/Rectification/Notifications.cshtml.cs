using Kaohe.Data;
using Microsoft.AspNetCore.Mvc;
using Microsoft.AspNetCore.Mvc.RazorPages;
using Microsoft.EntityFrameworkCore;
using Kaohe.Web.Infrastructure;

namespace Kaohe.Web.Features.Rectification;

/// <summary>站内提醒: the signed-in person's reminders (整改提醒, 逾期督办).</summary>
[NotPeriodInputs("notifications read")]
public sealed class NotificationsModel(KaoheDbContext db, TimeProvider clock) : PageModel
{
    public IReadOnlyList<Notification> Items { get; private set; } = [];

    public async Task OnGetAsync() =>
        Items = await NotificationAuthorization.VisibleTo(db.Set<Notification>().AsNoTracking(), User).OrderByDescending(n => n.Id).Take(200).ToListAsync();

    public async Task<IActionResult> OnPostReadAllAsync()
    {
        var now = clock.GetUtcNow();
        var unread = await NotificationAuthorization.VisibleTo(db.Set<Notification>(), User).Where(n => n.ReadAt == null).ToListAsync();
        foreach (var n in unread) n.MarkRead(now);
        await db.SaveChangesAsync();
        return RedirectToPage();
    }
}
