using Kaohe.Web.Features.Attachments;
using Kaohe.Web.Features.Publication;
using Microsoft.AspNetCore.Authorization;

namespace Kaohe.Web.Features.Rectification;

public static class RectificationRegistration
{
    public static IServiceCollection AddRectification(this IServiceCollection services)
    {
        services.AddOptions<LedgerOptions>().BindConfiguration("Kaohe:Rectification");
        services.AddOptions<SmtpOptions>().BindConfiguration("Kaohe:Smtp");
        services.AddScoped<Ledger>();
        services.AddScoped<Oversight>();
        // The bulletin's rectification sections read the ledger (docs/architecture.md: snapshot → bulletin and ledger).
        services.AddScoped<IBulletinRectificationSource, LedgerBulletinSource>();
        services.AddScoped<IAttachmentOwnerPolicy, RectificationAttachmentPolicy>();
        services.AddScoped<IAuthorizationHandler, RectificationItemAuthorization>();
        services.AddScoped<IAuthorizationHandler, NotificationAuthorization>();
        services.AddSingleton<ReminderJob>();
        services.AddHostedService(sp => sp.GetRequiredService<ReminderJob>());
        return services;
    }
}
