using System;
using Microsoft.EntityFrameworkCore.Migrations;

#nullable disable

namespace Kaohe.Data.Postgres.Migrations
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
                    PeriodId = table.Column<string>(type: "character varying(16)", maxLength: 16, nullable: false),
                    Responses = table.Column<int>(type: "integer", nullable: false),
                    MaxResponseId = table.Column<long>(type: "bigint", nullable: false),
                    Versions = table.Column<string>(type: "character varying(64)", maxLength: 64, nullable: false),
                    CountsJson = table.Column<string>(type: "text", nullable: false),
                    CountedAt = table.Column<DateTimeOffset>(type: "timestamp with time zone", nullable: false)
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
