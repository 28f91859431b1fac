using Kaohe.Web.Features.Attachments;

namespace Kaohe.Web.Features.Rectification;

public static class RectificationRegistration
{
    public static IServiceCollection AddRectification(this IServiceCollection services)
    {
        services.AddOptions<LedgerOptions>().BindConfiguration("Kaohe:Rectification");
        services.AddOptions<SmtpOptions>().BindConfiguration("Kaohe:Smtp");
        services.AddScoped<Ledger>();
        services.AddScoped<Oversight>();
        services.AddScoped<IAttachmentOwnerPolicy, RectificationAttachmentPolicy>();
        services.AddSingleton<ReminderJob>();
        services.AddHostedService(sp => sp.GetRequiredService<ReminderJob>());
        return services;
    }
}
