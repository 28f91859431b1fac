using Kaohe.Web.Features.Attachments;

namespace Kaohe.Web.Features.Publication;

public static class PublicationRegistration
{
    public static IServiceCollection AddPublication(this IServiceCollection services)
    {
        services.AddScoped<Drafts>();
        services.AddScoped<Publisher>();
        services.AddScoped<Appeals>();
        services.AddScoped<Bulletins>();
        services.AddScoped<IBulletinRectificationSource, DeductionRectificationSource>();
        services.AddScoped<IAttachmentOwnerPolicy, AppealAttachmentPolicy>();
        return services;
    }
}
