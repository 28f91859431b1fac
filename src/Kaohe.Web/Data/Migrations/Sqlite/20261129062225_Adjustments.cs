using Microsoft.EntityFrameworkCore.Migrations;

#nullable disable

namespace Kaohe.Web.Data.Migrations.Sqlite
{
    /// <inheritdoc />
    public partial class Adjustments : Migration
    {
        /// <inheritdoc />
        protected override void Up(MigrationBuilder migrationBuilder)
        {
            migrationBuilder.CreateTable(
                name: "AdjustmentRules",
                columns: table => new
                {
                    Id = table.Column<int>(type: "INTEGER", nullable: false)
                        .Annotation("Sqlite:Autoincrement", true),
                    Category = table.Column<string>(type: "TEXT", maxLength: 32, nullable: false),
                    PeriodId = table.Column<string>(type: "TEXT", maxLength: 16, nullable: false),
                    Code = table.Column<string>(type: "TEXT", maxLength: 64, nullable: false),
                    Kind = table.Column<string>(type: "TEXT", maxLength: 16, nullable: false),
                    Source = table.Column<string>(type: "TEXT", maxLength: 100, nullable: false),
                    NameZh = table.Column<string>(type: "TEXT", maxLength: 200, nullable: false),
                    NameEn = table.Column<string>(type: "TEXT", maxLength: 200, nullable: false),
                    Points = table.Column<double>(type: "REAL", nullable: false),
                    MinPoints = table.Column<double>(type: "REAL", nullable: true),
                    MaxPoints = table.Column<double>(type: "REAL", nullable: true),
                    Bands = table.Column<string>(type: "TEXT", maxLength: 2000, nullable: true),
                    Order = table.Column<int>(type: "INTEGER", nullable: false)
                },
                constraints: table =>
                {
                    table.PrimaryKey("PK_AdjustmentRules", x => x.Id);
                    table.ForeignKey(
                        name: "FK_AdjustmentRules_Periods_PeriodId",
                        column: x => x.PeriodId,
                        principalTable: "Periods",
                        principalColumn: "Id",
                        onDelete: ReferentialAction.Cascade);
                });

            migrationBuilder.CreateTable(
                name: "AdjustmentEvents",
                columns: table => new
                {
                    Id = table.Column<long>(type: "INTEGER", nullable: false)
                        .Annotation("Sqlite:Autoincrement", true),
                    Key = table.Column<string>(type: "TEXT", maxLength: 40, nullable: false),
                    PeriodId = table.Column<string>(type: "TEXT", maxLength: 16, nullable: false),
                    UnitId = table.Column<string>(type: "TEXT", maxLength: 64, nullable: false),
                    RuleId = table.Column<int>(type: "INTEGER", nullable: false),
                    RuleCode = table.Column<string>(type: "TEXT", maxLength: 64, nullable: false),
                    Kind = table.Column<string>(type: "TEXT", maxLength: 16, nullable: false),
                    Points = table.Column<double>(type: "REAL", nullable: true),
                    SpendingPercent = table.Column<double>(type: "REAL", nullable: true),
                    Reason = table.Column<string>(type: "TEXT", maxLength: 1000, nullable: false),
                    DocumentRef = table.Column<string>(type: "TEXT", maxLength: 200, nullable: true),
                    Status = table.Column<string>(type: "TEXT", maxLength: 16, nullable: false),
                    RequestedBy = table.Column<string>(type: "TEXT", maxLength: 100, nullable: false),
                    RequestedAt = table.Column<long>(type: "INTEGER", nullable: false),
                    DecidedBy = table.Column<string>(type: "TEXT", maxLength: 100, nullable: true),
                    DecidedAt = table.Column<long>(type: "INTEGER", nullable: true),
                    DecisionNote = table.Column<string>(type: "TEXT", maxLength: 1000, nullable: true),
                    FactId = table.Column<long>(type: "INTEGER", nullable: true)
                },
                constraints: table =>
                {
                    table.PrimaryKey("PK_AdjustmentEvents", x => x.Id);
                    table.ForeignKey(
                        name: "FK_AdjustmentEvents_AdjustmentRules_RuleId",
                        column: x => x.RuleId,
                        principalTable: "AdjustmentRules",
                        principalColumn: "Id",
                        onDelete: ReferentialAction.Cascade);
                    table.ForeignKey(
                        name: "FK_AdjustmentEvents_Facts_FactId",
                        column: x => x.FactId,
                        principalTable: "Facts",
                        principalColumn: "Id");
                    table.ForeignKey(
                        name: "FK_AdjustmentEvents_Periods_PeriodId",
                        column: x => x.PeriodId,
                        principalTable: "Periods",
                        principalColumn: "Id",
                        onDelete: ReferentialAction.Cascade);
                    table.ForeignKey(
                        name: "FK_AdjustmentEvents_Units_UnitId",
                        column: x => x.UnitId,
                        principalTable: "Units",
                        principalColumn: "Id",
                        onDelete: ReferentialAction.Cascade);
                });

            migrationBuilder.CreateIndex(
                name: "IX_AdjustmentEvents_FactId",
                table: "AdjustmentEvents",
                column: "FactId");

            migrationBuilder.CreateIndex(
                name: "IX_AdjustmentEvents_Key",
                table: "AdjustmentEvents",
                column: "Key",
                unique: true);

            migrationBuilder.CreateIndex(
                name: "IX_AdjustmentEvents_PeriodId_UnitId",
                table: "AdjustmentEvents",
                columns: new[] { "PeriodId", "UnitId" });

            migrationBuilder.CreateIndex(
                name: "IX_AdjustmentEvents_RuleId",
                table: "AdjustmentEvents",
                column: "RuleId");

            migrationBuilder.CreateIndex(
                name: "IX_AdjustmentEvents_UnitId",
                table: "AdjustmentEvents",
                column: "UnitId");

            migrationBuilder.CreateIndex(
                name: "IX_AdjustmentRules_Category_PeriodId_Code",
                table: "AdjustmentRules",
                columns: new[] { "Category", "PeriodId", "Code" },
                unique: true);

            migrationBuilder.CreateIndex(
                name: "IX_AdjustmentRules_PeriodId",
                table: "AdjustmentRules",
                column: "PeriodId");
        }

        /// <inheritdoc />
        protected override void Down(MigrationBuilder migrationBuilder)
        {
            migrationBuilder.DropTable(
                name: "AdjustmentEvents");

            migrationBuilder.DropTable(
                name: "AdjustmentRules");
        }
    }
}
