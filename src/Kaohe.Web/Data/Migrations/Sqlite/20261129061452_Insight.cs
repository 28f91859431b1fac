using Microsoft.EntityFrameworkCore.Migrations;

#nullable disable

namespace Kaohe.Web.Data.Migrations.Sqlite
{
    /// <inheritdoc />
    public partial class Insight : Migration
    {
        /// <inheritdoc />
        protected override void Up(MigrationBuilder migrationBuilder)
        {
            migrationBuilder.CreateTable(
                name: "InsightCauseAnalyses",
                columns: table => new
                {
                    Id = table.Column<long>(type: "INTEGER", nullable: false)
                        .Annotation("Sqlite:Autoincrement", true),
                    PeriodId = table.Column<string>(type: "TEXT", maxLength: 16, nullable: false),
                    UnitId = table.Column<string>(type: "TEXT", maxLength: 64, nullable: false),
                    Category = table.Column<string>(type: "TEXT", maxLength: 32, nullable: false),
                    Causes = table.Column<string>(type: "TEXT", maxLength: 8000, nullable: false),
                    Commitments = table.Column<string>(type: "TEXT", maxLength: 16000, nullable: false),
                    SubmittedBy = table.Column<string>(type: "TEXT", maxLength: 100, nullable: false),
                    SubmittedAt = table.Column<long>(type: "INTEGER", nullable: false)
                },
                constraints: table =>
                {
                    table.PrimaryKey("PK_InsightCauseAnalyses", x => x.Id);
                    table.ForeignKey(
                        name: "FK_InsightCauseAnalyses_Periods_PeriodId",
                        column: x => x.PeriodId,
                        principalTable: "Periods",
                        principalColumn: "Id",
                        onDelete: ReferentialAction.Cascade);
                    table.ForeignKey(
                        name: "FK_InsightCauseAnalyses_Units_UnitId",
                        column: x => x.UnitId,
                        principalTable: "Units",
                        principalColumn: "Id",
                        onDelete: ReferentialAction.Cascade);
                });

            migrationBuilder.CreateTable(
                name: "InsightLeaderComments",
                columns: table => new
                {
                    Id = table.Column<long>(type: "INTEGER", nullable: false)
                        .Annotation("Sqlite:Autoincrement", true),
                    PeriodId = table.Column<string>(type: "TEXT", maxLength: 16, nullable: false),
                    UnitId = table.Column<string>(type: "TEXT", maxLength: 64, nullable: false),
                    Author = table.Column<string>(type: "TEXT", maxLength: 100, nullable: false),
                    AuthorName = table.Column<string>(type: "TEXT", maxLength: 100, nullable: false),
                    Rater = table.Column<string>(type: "TEXT", maxLength: 32, nullable: false),
                    Text = table.Column<string>(type: "TEXT", maxLength: 4000, nullable: false),
                    CreatedAt = table.Column<long>(type: "INTEGER", nullable: false)
                },
                constraints: table =>
                {
                    table.PrimaryKey("PK_InsightLeaderComments", x => x.Id);
                    table.ForeignKey(
                        name: "FK_InsightLeaderComments_Periods_PeriodId",
                        column: x => x.PeriodId,
                        principalTable: "Periods",
                        principalColumn: "Id",
                        onDelete: ReferentialAction.Cascade);
                    table.ForeignKey(
                        name: "FK_InsightLeaderComments_Units_UnitId",
                        column: x => x.UnitId,
                        principalTable: "Units",
                        principalColumn: "Id",
                        onDelete: ReferentialAction.Cascade);
                });

            migrationBuilder.CreateTable(
                name: "InsightPractices",
                columns: table => new
                {
                    Id = table.Column<long>(type: "INTEGER", nullable: false)
                        .Annotation("Sqlite:Autoincrement", true),
                    PeriodId = table.Column<string>(type: "TEXT", maxLength: 16, nullable: false),
                    UnitId = table.Column<string>(type: "TEXT", maxLength: 64, nullable: false),
                    Title = table.Column<string>(type: "TEXT", maxLength: 200, nullable: false),
                    Body = table.Column<string>(type: "TEXT", maxLength: 8000, nullable: false),
                    Tags = table.Column<string>(type: "TEXT", maxLength: 200, nullable: false),
                    Status = table.Column<string>(type: "TEXT", maxLength: 16, nullable: false),
                    SubmittedBy = table.Column<string>(type: "TEXT", maxLength: 100, nullable: false),
                    SubmittedAt = table.Column<long>(type: "INTEGER", nullable: false),
                    CuratedBy = table.Column<string>(type: "TEXT", maxLength: 100, nullable: true),
                    CuratedAt = table.Column<long>(type: "INTEGER", nullable: true),
                    CuratorNote = table.Column<string>(type: "TEXT", maxLength: 1000, nullable: true)
                },
                constraints: table =>
                {
                    table.PrimaryKey("PK_InsightPractices", x => x.Id);
                    table.ForeignKey(
                        name: "FK_InsightPractices_Periods_PeriodId",
                        column: x => x.PeriodId,
                        principalTable: "Periods",
                        principalColumn: "Id",
                        onDelete: ReferentialAction.Cascade);
                    table.ForeignKey(
                        name: "FK_InsightPractices_Units_UnitId",
                        column: x => x.UnitId,
                        principalTable: "Units",
                        principalColumn: "Id",
                        onDelete: ReferentialAction.Cascade);
                });

            migrationBuilder.CreateTable(
                name: "InsightRobustnessSettings",
                columns: table => new
                {
                    PeriodId = table.Column<string>(type: "TEXT", maxLength: 16, nullable: false),
                    WeightShare = table.Column<double>(type: "REAL", nullable: false),
                    RaterShare = table.Column<double>(type: "REAL", nullable: false),
                    Samples = table.Column<int>(type: "INTEGER", nullable: false),
                    Seed = table.Column<int>(type: "INTEGER", nullable: false),
                    CloseCallPoints = table.Column<double>(type: "REAL", nullable: false),
                    UpdatedBy = table.Column<string>(type: "TEXT", maxLength: 100, nullable: false),
                    UpdatedAt = table.Column<long>(type: "INTEGER", nullable: false)
                },
                constraints: table =>
                {
                    table.PrimaryKey("PK_InsightRobustnessSettings", x => x.PeriodId);
                    table.ForeignKey(
                        name: "FK_InsightRobustnessSettings_Periods_PeriodId",
                        column: x => x.PeriodId,
                        principalTable: "Periods",
                        principalColumn: "Id",
                        onDelete: ReferentialAction.Cascade);
                });

            migrationBuilder.CreateTable(
                name: "InsightWhatIfSandboxes",
                columns: table => new
                {
                    Id = table.Column<long>(type: "INTEGER", nullable: false)
                        .Annotation("Sqlite:Autoincrement", true),
                    PeriodId = table.Column<string>(type: "TEXT", maxLength: 16, nullable: false),
                    Category = table.Column<string>(type: "TEXT", maxLength: 32, nullable: false),
                    BaseSchemeId = table.Column<int>(type: "INTEGER", nullable: false),
                    Name = table.Column<string>(type: "TEXT", maxLength: 200, nullable: false),
                    Document = table.Column<string>(type: "TEXT", nullable: false),
                    CreatedBy = table.Column<string>(type: "TEXT", maxLength: 100, nullable: false),
                    CreatedAt = table.Column<long>(type: "INTEGER", nullable: false),
                    UpdatedAt = table.Column<long>(type: "INTEGER", nullable: false),
                    SavedAsSchemeId = table.Column<int>(type: "INTEGER", nullable: true)
                },
                constraints: table =>
                {
                    table.PrimaryKey("PK_InsightWhatIfSandboxes", x => x.Id);
                    table.ForeignKey(
                        name: "FK_InsightWhatIfSandboxes_Periods_PeriodId",
                        column: x => x.PeriodId,
                        principalTable: "Periods",
                        principalColumn: "Id",
                        onDelete: ReferentialAction.Cascade);
                    table.ForeignKey(
                        name: "FK_InsightWhatIfSandboxes_Schemes_BaseSchemeId",
                        column: x => x.BaseSchemeId,
                        principalTable: "Schemes",
                        principalColumn: "Id",
                        onDelete: ReferentialAction.Cascade);
                });

            migrationBuilder.CreateIndex(
                name: "IX_InsightCauseAnalyses_PeriodId_UnitId",
                table: "InsightCauseAnalyses",
                columns: new[] { "PeriodId", "UnitId" },
                unique: true);

            migrationBuilder.CreateIndex(
                name: "IX_InsightCauseAnalyses_UnitId",
                table: "InsightCauseAnalyses",
                column: "UnitId");

            migrationBuilder.CreateIndex(
                name: "IX_InsightLeaderComments_PeriodId_UnitId",
                table: "InsightLeaderComments",
                columns: new[] { "PeriodId", "UnitId" });

            migrationBuilder.CreateIndex(
                name: "IX_InsightLeaderComments_UnitId",
                table: "InsightLeaderComments",
                column: "UnitId");

            migrationBuilder.CreateIndex(
                name: "IX_InsightPractices_PeriodId",
                table: "InsightPractices",
                column: "PeriodId");

            migrationBuilder.CreateIndex(
                name: "IX_InsightPractices_Status_PeriodId",
                table: "InsightPractices",
                columns: new[] { "Status", "PeriodId" });

            migrationBuilder.CreateIndex(
                name: "IX_InsightPractices_UnitId",
                table: "InsightPractices",
                column: "UnitId");

            migrationBuilder.CreateIndex(
                name: "IX_InsightWhatIfSandboxes_BaseSchemeId",
                table: "InsightWhatIfSandboxes",
                column: "BaseSchemeId");

            migrationBuilder.CreateIndex(
                name: "IX_InsightWhatIfSandboxes_PeriodId_Category",
                table: "InsightWhatIfSandboxes",
                columns: new[] { "PeriodId", "Category" });
        }

        /// <inheritdoc />
        protected override void Down(MigrationBuilder migrationBuilder)
        {
            migrationBuilder.DropTable(
                name: "InsightCauseAnalyses");

            migrationBuilder.DropTable(
                name: "InsightLeaderComments");

            migrationBuilder.DropTable(
                name: "InsightPractices");

            migrationBuilder.DropTable(
                name: "InsightRobustnessSettings");

            migrationBuilder.DropTable(
                name: "InsightWhatIfSandboxes");
        }
    }
}
