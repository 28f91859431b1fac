using Kaohe.Data;
using Microsoft.AspNetCore.Authorization;
using Microsoft.AspNetCore.Mvc.RazorPages;

namespace Kaohe.Web.Features.Inspections;

/// <summary>
/// 实地考核 on the phone: a shell that works offline. The site list and checklist come from
/// /api/v1/inspections/mine (kept by the service worker), findings and photos wait in IndexedDB
/// until they are synced (wwwroot/js/inspections-field.js).
/// </summary>
[Authorize(Roles = Roles.Assessor)]
public sealed class FieldModel : PageModel
{
    public void OnGet()
    {
    }
}
