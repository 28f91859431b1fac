using Kaohe.Web.Infrastructure;
using Microsoft.AspNetCore.Authorization;
using Microsoft.AspNetCore.Mvc.RazorPages;

namespace Kaohe.Web.Features.Insight;

/// <summary>考核分析: the entry to the Insight pages, each shown to the roles that may use it.</summary>
[Authorize(Policy = Policies.Staff)]
public sealed class IndexModel : PageModel
{
    public void OnGet() { }
}
