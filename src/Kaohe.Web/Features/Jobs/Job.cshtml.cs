using Microsoft.AspNetCore.Mvc;
using Microsoft.AspNetCore.Mvc.RazorPages;

namespace Kaohe.Web.Features.Jobs;

/// <summary>One job: a progress bar that jobs.js keeps current by polling the API; its result or its errors once finished.</summary>
public sealed class JobModel(JobService jobs) : PageModel
{
    public JobDto Job { get; private set; } = null!;

    public async Task<IActionResult> OnGetAsync(string id)
    {
        var job = await jobs.GetAsync(User, id, HttpContext.RequestAborted);
        if (job is null) return NotFound();
        Job = job;
        return Page();
    }
}
