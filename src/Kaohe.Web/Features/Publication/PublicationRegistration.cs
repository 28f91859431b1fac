using Kaohe.Web.Features.Attachments;
using Kaohe.Web.Features.Jobs;
using Microsoft.AspNetCore.Authorization;

namespace Kaohe.Web.Features.Publication;

public static class PublicationRegistration
{
    public static IServiceCollection AddPublication(this IServiceCollection services)
    {
        services.AddScoped<Publisher>();
        services.AddSingleton<PublicationHooks>();
        services.AddScoped<Appeals>();
        services.AddScoped<Bulletins>();
        services.AddScoped<DeductionRectificationSource>();
        services.AddScoped<IAttachmentOwnerPolicy, AppealAttachmentPolicy>();
        services.AddScoped<IAuthorizationHandler, AppealAuthorization>();
        services.AddJob<BulletinJob>(BulletinJob.JobKind);
        services.AddJob<ScoresWorkbookJob>(ScoresWorkbookJob.JobKind);
        return services;
    }
}
