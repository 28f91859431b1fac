using Microsoft.EntityFrameworkCore.Migrations;

#nullable disable

namespace Kaohe.Data.Sqlite.Migrations
{
    /// <inheritdoc />
    public partial class TargetLetters : Migration
    {
        /// <inheritdoc />
        protected override void Up(MigrationBuilder migrationBuilder)
        {
            migrationBuilder.CreateTable(
                name: "TargetLetters",
                columns: table => new
                {
                    Id = table.Column<int>(type: "INTEGER", nullable: false)
                        .Annotation("Sqlite:Autoincrement", true),
                    Year = table.Column<int>(type: "INTEGER", nullable: false),
                    Category = table.Column<string>(type: "TEXT", maxLength: 32, nullable: false),
                    UnitId = table.Column<string>(type: "TEXT", maxLength: 64, nullable: false),
                    Status = table.Column<string>(type: "TEXT", maxLength: 16, nullable: false),
                    Content = table.Column<string>(type: "TEXT", nullable: false),
                    Version = table.Column<int>(type: "INTEGER", nullable: false),
                    CreatedBy = table.Column<string>(type: "TEXT", maxLength: 100, nullable: false),
                    UpdatedAt = table.Column<long>(type: "INTEGER", nullable: false),
                    AcknowledgedVersion = table.Column<int>(type: "INTEGER", nullable: true),
                    AcknowledgedBy = table.Column<string>(type: "TEXT", maxLength: 100, nullable: true),
                    AcknowledgedAt = table.Column<long>(type: "INTEGER", nullable: true)
                },
                constraints: table =>
                {
                    table.PrimaryKey("PK_TargetLetters", x => x.Id);
                    table.ForeignKey(
                        name: "FK_TargetLetters_Units_UnitId",
                        column: x => x.UnitId,
                        principalTable: "Units",
                        principalColumn: "Id",
                        onDelete: ReferentialAction.Cascade);
                });

            migrationBuilder.CreateTable(
                name: "MilestoneAssessments",
                columns: table => new
                {
                    Id = table.Column<long>(type: "INTEGER", nullable: false)
                        .Annotation("Sqlite:Autoincrement", true),
                    Key = table.Column<string>(type: "TEXT", maxLength: 40, nullable: false),
                    LetterId = table.Column<int>(type: "INTEGER", nullable: false),
                    TaskId = table.Column<string>(type: "TEXT", maxLength: 32, nullable: false),
                    Quarter = table.Column<int>(type: "INTEGER", nullable: false),
                    Outcome = table.Column<string>(type: "TEXT", maxLength: 16, nullable: false),
                    Points = table.Column<double>(type: "REAL", nullable: false),
                    Note = table.Column<string>(type: "TEXT", maxLength: 1000, nullable: true),
                    AssessedBy = table.Column<string>(type: "TEXT", maxLength: 100, nullable: false),
                    AssessedAt = table.Column<long>(type: "INTEGER", nullable: false)
                },
                constraints: table =>
                {
                    table.PrimaryKey("PK_MilestoneAssessments", x => x.Id);
                    table.ForeignKey(
                        name: "FK_MilestoneAssessments_TargetLetters_LetterId",
                        column: x => x.LetterId,
                        principalTable: "TargetLetters",
                        principalColumn: "Id",
                        onDelete: ReferentialAction.Cascade);
                });

            migrationBuilder.CreateTable(
                name: "TargetLetterChanges",
                columns: table => new
                {
                    Id = table.Column<long>(type: "INTEGER", nullable: false)
                        .Annotation("Sqlite:Autoincrement", true),
                    LetterId = table.Column<int>(type: "INTEGER", nullable: false),
                    FromVersion = table.Column<int>(type: "INTEGER", nullable: false),
                    Content = table.Column<string>(type: "TEXT", nullable: false),
                    Reason = table.Column<string>(type: "TEXT", maxLength: 1000, nullable: false),
                    Status = table.Column<string>(type: "TEXT", maxLength: 16, nullable: false),
                    RequestedBy = table.Column<string>(type: "TEXT", maxLength: 100, nullable: false),
                    RequestedAt = table.Column<long>(type: "INTEGER", nullable: false),
                    DecidedBy = table.Column<string>(type: "TEXT", maxLength: 100, nullable: true),
                    DecidedAt = table.Column<long>(type: "INTEGER", nullable: true),
                    DecisionNote = table.Column<string>(type: "TEXT", maxLength: 1000, nullable: true)
                },
                constraints: table =>
                {
                    table.PrimaryKey("PK_TargetLetterChanges", x => x.Id);
                    table.ForeignKey(
                        name: "FK_TargetLetterChanges_TargetLetters_LetterId",
                        column: x => x.LetterId,
                        principalTable: "TargetLetters",
                        principalColumn: "Id",
                        onDelete: ReferentialAction.Cascade);
                });

            migrationBuilder.CreateTable(
                name: "TargetLetterVersions",
                columns: table => new
                {
                    Id = table.Column<long>(type: "INTEGER", nullable: false)
                        .Annotation("Sqlite:Autoincrement", true),
                    LetterId = table.Column<int>(type: "INTEGER", nullable: false),
                    Version = table.Column<int>(type: "INTEGER", nullable: false),
                    Content = table.Column<string>(type: "TEXT", nullable: false),
                    IssuedBy = table.Column<string>(type: "TEXT", maxLength: 100, nullable: false),
                    IssuedAt = table.Column<long>(type: "INTEGER", nullable: false),
                    ApprovedBy = table.Column<string>(type: "TEXT", maxLength: 100, nullable: true),
                    ChangeReason = table.Column<string>(type: "TEXT", maxLength: 1000, nullable: true)
                },
                constraints: table =>
                {
                    table.PrimaryKey("PK_TargetLetterVersions", x => x.Id);
                    table.ForeignKey(
                        name: "FK_TargetLetterVersions_TargetLetters_LetterId",
                        column: x => x.LetterId,
                        principalTable: "TargetLetters",
                        principalColumn: "Id",
                        onDelete: ReferentialAction.Cascade);
                });

            migrationBuilder.CreateIndex(
                name: "IX_MilestoneAssessments_Key",
                table: "MilestoneAssessments",
                column: "Key",
                unique: true);

            migrationBuilder.CreateIndex(
                name: "IX_MilestoneAssessments_LetterId_TaskId_Quarter",
                table: "MilestoneAssessments",
                columns: new[] { "LetterId", "TaskId", "Quarter" },
                unique: true);

            migrationBuilder.CreateIndex(
                name: "IX_TargetLetterChanges_LetterId",
                table: "TargetLetterChanges",
                column: "LetterId");

            migrationBuilder.CreateIndex(
                name: "IX_TargetLetters_UnitId",
                table: "TargetLetters",
                column: "UnitId");

            migrationBuilder.CreateIndex(
                name: "IX_TargetLetters_Year_Category_UnitId",
                table: "TargetLetters",
                columns: new[] { "Year", "Category", "UnitId" },
                unique: true);

            migrationBuilder.CreateIndex(
                name: "IX_TargetLetterVersions_LetterId_Version",
                table: "TargetLetterVersions",
                columns: new[] { "LetterId", "Version" },
                unique: true);
        }

        /// <inheritdoc />
        protected override void Down(MigrationBuilder migrationBuilder)
        {
            migrationBuilder.DropTable(
                name: "MilestoneAssessments");

            migrationBuilder.DropTable(
                name: "TargetLetterChanges");

            migrationBuilder.DropTable(
                name: "TargetLetterVersions");

            migrationBuilder.DropTable(
                name: "TargetLetters");
        }
    }
}
