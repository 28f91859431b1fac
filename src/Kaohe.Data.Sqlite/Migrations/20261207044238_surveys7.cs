using Microsoft.EntityFrameworkCore.Migrations;

#nullable disable

namespace Kaohe.Data.Sqlite.Migrations
{
    /// <inheritdoc />
    public partial class surveys7 : Migration
    {
        /// <inheritdoc />
        protected override void Up(MigrationBuilder migrationBuilder)
        {
            migrationBuilder.CreateTable(
                name: "SurveyTallyMarks",
                columns: table => new
                {
                    PeriodId = table.Column<string>(type: "TEXT", maxLength: 16, nullable: false),
                    Responses = table.Column<int>(type: "INTEGER", nullable: false),
                    MaxResponseId = table.Column<long>(type: "INTEGER", nullable: false),
                    Versions = table.Column<string>(type: "TEXT", maxLength: 64, nullable: false),
                    CountsJson = table.Column<string>(type: "TEXT", nullable: false),
                    CountedAt = table.Column<long>(type: "INTEGER", nullable: false)
                },
                constraints: table =>
                {
                    table.PrimaryKey("PK_SurveyTallyMarks", x => x.PeriodId);
                    table.ForeignKey(
                        name: "FK_SurveyTallyMarks_Periods_PeriodId",
                        column: x => x.PeriodId,
                        principalTable: "Periods",
                        principalColumn: "Id",
                        onDelete: ReferentialAction.Cascade);
                });
        }

        /// <inheritdoc />
        protected override void Down(MigrationBuilder migrationBuilder)
        {
            migrationBuilder.DropTable(
                name: "SurveyTallyMarks");
        }
    }
}
