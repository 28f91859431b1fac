using System;
using Microsoft.EntityFrameworkCore.Migrations;
using Npgsql.EntityFrameworkCore.PostgreSQL.Metadata;

#nullable disable

namespace Kaohe.Web.Data.Migrations.Postgres
{
    /// <inheritdoc />
    public partial class Rectification : Migration
    {
        /// <inheritdoc />
        protected override void Up(MigrationBuilder migrationBuilder)
        {
            migrationBuilder.AlterColumn<string>(
                name: "Problem",
                table: "RectificationItems",
                type: "character varying(2000)",
                maxLength: 2000,
                nullable: false,
                oldClrType: typeof(string),
                oldType: "text");

            migrationBuilder.AddColumn<long>(
                name: "FactId",
                table: "RectificationItems",
                type: "bigint",
                nullable: true);

            migrationBuilder.AddColumn<long>(
                name: "MergedIntoId",
                table: "RectificationItems",
                type: "bigint",
                nullable: true);

            migrationBuilder.AddColumn<bool>(
                name: "RequiresReinspection",
                table: "RectificationItems",
                type: "boolean",
                nullable: false,
                defaultValue: false);

            migrationBuilder.AddColumn<string>(
                name: "ReturnReason",
                table: "RectificationItems",
                type: "character varying(1000)",
                maxLength: 1000,
                nullable: true);

            migrationBuilder.AddColumn<long>(
                name: "SplitFromId",
                table: "RectificationItems",
                type: "bigint",
                nullable: true);

            migrationBuilder.AddColumn<DateTimeOffset>(
                name: "SubmittedAt",
                table: "RectificationItems",
                type: "timestamp with time zone",
                nullable: true);

            migrationBuilder.CreateTable(
                name: "Notifications",
                columns: table => new
                {
                    Id = table.Column<long>(type: "bigint", nullable: false)
                        .Annotation("Npgsql:ValueGenerationStrategy", NpgsqlValueGenerationStrategy.IdentityByDefaultColumn),
                    Recipient = table.Column<string>(type: "character varying(100)", maxLength: 100, nullable: false),
                    ItemId = table.Column<long>(type: "bigint", nullable: true),
                    Key = table.Column<string>(type: "character varying(100)", maxLength: 100, nullable: false),
                    Title = table.Column<string>(type: "character varying(300)", maxLength: 300, nullable: false),
                    Body = table.Column<string>(type: "character varying(2000)", maxLength: 2000, nullable: false),
                    CreatedAt = table.Column<DateTimeOffset>(type: "timestamp with time zone", nullable: false),
                    ReadAt = table.Column<DateTimeOffset>(type: "timestamp with time zone", nullable: true),
                    EmailClaimedAt = table.Column<DateTimeOffset>(type: "timestamp with time zone", nullable: true),
                    EmailResult = table.Column<string>(type: "character varying(300)", maxLength: 300, nullable: true)
                },
                constraints: table =>
                {
                    table.PrimaryKey("PK_Notifications", x => x.Id);
                });

            migrationBuilder.CreateTable(
                name: "RectificationEvents",
                columns: table => new
                {
                    Id = table.Column<long>(type: "bigint", nullable: false)
                        .Annotation("Npgsql:ValueGenerationStrategy", NpgsqlValueGenerationStrategy.IdentityByDefaultColumn),
                    ItemId = table.Column<long>(type: "bigint", nullable: false),
                    Kind = table.Column<string>(type: "character varying(32)", maxLength: 32, nullable: false),
                    MilestoneId = table.Column<long>(type: "bigint", nullable: true),
                    Note = table.Column<string>(type: "character varying(2000)", maxLength: 2000, nullable: false),
                    By = table.Column<string>(type: "character varying(100)", maxLength: 100, nullable: false),
                    At = table.Column<DateTimeOffset>(type: "timestamp with time zone", nullable: false),
                    Evidence = table.Column<string>(type: "character varying(500)", maxLength: 500, nullable: true)
                },
                constraints: table =>
                {
                    table.PrimaryKey("PK_RectificationEvents", x => x.Id);
                    table.ForeignKey(
                        name: "FK_RectificationEvents_RectificationItems_ItemId",
                        column: x => x.ItemId,
                        principalTable: "RectificationItems",
                        principalColumn: "Id",
                        onDelete: ReferentialAction.Cascade);
                });

            migrationBuilder.CreateTable(
                name: "RectificationPolicies",
                columns: table => new
                {
                    Category = table.Column<string>(type: "character varying(32)", maxLength: 32, nullable: false),
                    Enabled = table.Column<bool>(type: "boolean", nullable: false),
                    PointsPerItem = table.Column<double>(type: "double precision", nullable: false),
                    Cap = table.Column<double>(type: "double precision", nullable: false)
                },
                constraints: table =>
                {
                    table.PrimaryKey("PK_RectificationPolicies", x => x.Category);
                });

            migrationBuilder.CreateIndex(
                name: "IX_RectificationItems_PeriodId_UnitId_Status",
                table: "RectificationItems",
                columns: new[] { "PeriodId", "UnitId", "Status" });

            migrationBuilder.CreateIndex(
                name: "IX_RectificationItems_SourceRef",
                table: "RectificationItems",
                column: "SourceRef",
                unique: true);

            migrationBuilder.CreateIndex(
                name: "IX_Notifications_Key_Recipient",
                table: "Notifications",
                columns: new[] { "Key", "Recipient" },
                unique: true);

            migrationBuilder.CreateIndex(
                name: "IX_Notifications_Recipient_ReadAt",
                table: "Notifications",
                columns: new[] { "Recipient", "ReadAt" });

            migrationBuilder.CreateIndex(
                name: "IX_RectificationEvents_ItemId",
                table: "RectificationEvents",
                column: "ItemId");

            migrationBuilder.AddForeignKey(
                name: "FK_RectificationItems_Periods_PeriodId",
                table: "RectificationItems",
                column: "PeriodId",
                principalTable: "Periods",
                principalColumn: "Id",
                onDelete: ReferentialAction.Cascade);
        }

        /// <inheritdoc />
        protected override void Down(MigrationBuilder migrationBuilder)
        {
            migrationBuilder.DropForeignKey(
                name: "FK_RectificationItems_Periods_PeriodId",
                table: "RectificationItems");

            migrationBuilder.DropTable(
                name: "Notifications");

            migrationBuilder.DropTable(
                name: "RectificationEvents");

            migrationBuilder.DropTable(
                name: "RectificationPolicies");

            migrationBuilder.DropIndex(
                name: "IX_RectificationItems_PeriodId_UnitId_Status",
                table: "RectificationItems");

            migrationBuilder.DropIndex(
                name: "IX_RectificationItems_SourceRef",
                table: "RectificationItems");

            migrationBuilder.DropColumn(
                name: "FactId",
                table: "RectificationItems");

            migrationBuilder.DropColumn(
                name: "MergedIntoId",
                table: "RectificationItems");

            migrationBuilder.DropColumn(
                name: "RequiresReinspection",
                table: "RectificationItems");

            migrationBuilder.DropColumn(
                name: "ReturnReason",
                table: "RectificationItems");

            migrationBuilder.DropColumn(
                name: "SplitFromId",
                table: "RectificationItems");

            migrationBuilder.DropColumn(
                name: "SubmittedAt",
                table: "RectificationItems");

            migrationBuilder.AlterColumn<string>(
                name: "Problem",
                table: "RectificationItems",
                type: "text",
                nullable: false,
                oldClrType: typeof(string),
                oldType: "character varying(2000)",
                oldMaxLength: 2000);
        }
    }
}
