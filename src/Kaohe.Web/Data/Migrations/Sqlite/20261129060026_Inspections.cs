using Microsoft.EntityFrameworkCore.Migrations;

#nullable disable

namespace Kaohe.Web.Data.Migrations.Sqlite
{
    /// <inheritdoc />
    public partial class Inspections : Migration
    {
        /// <inheritdoc />
        protected override void Up(MigrationBuilder migrationBuilder)
        {
            migrationBuilder.CreateTable(
                name: "Inspectors",
                columns: table => new
                {
                    Id = table.Column<string>(type: "TEXT", maxLength: 64, nullable: false),
                    Name = table.Column<string>(type: "TEXT", maxLength: 100, nullable: false),
                    PrefectureId = table.Column<string>(type: "TEXT", maxLength: 64, nullable: false),
                    Bureau = table.Column<string>(type: "TEXT", maxLength: 200, nullable: false),
                    UserName = table.Column<string>(type: "TEXT", maxLength: 256, nullable: true)
                },
                constraints: table =>
                {
                    table.PrimaryKey("PK_Inspectors", x => x.Id);
                    table.ForeignKey(
                        name: "FK_Inspectors_Prefectures_PrefectureId",
                        column: x => x.PrefectureId,
                        principalTable: "Prefectures",
                        principalColumn: "Id",
                        onDelete: ReferentialAction.Cascade);
                });

            migrationBuilder.CreateTable(
                name: "SamplingDraws",
                columns: table => new
                {
                    Id = table.Column<long>(type: "INTEGER", nullable: false)
                        .Annotation("Sqlite:Autoincrement", true),
                    PeriodId = table.Column<string>(type: "TEXT", maxLength: 16, nullable: false),
                    Algorithm = table.Column<string>(type: "TEXT", maxLength: 100, nullable: false),
                    Seed = table.Column<string>(type: "TEXT", maxLength: 200, nullable: false),
                    PerStratumJson = table.Column<string>(type: "TEXT", nullable: false),
                    EligibleJson = table.Column<string>(type: "TEXT", nullable: false),
                    ResultJson = table.Column<string>(type: "TEXT", nullable: false),
                    DrawnBy = table.Column<string>(type: "TEXT", maxLength: 100, nullable: false),
                    DrawnAt = table.Column<long>(type: "INTEGER", nullable: false),
                    Reason = table.Column<string>(type: "TEXT", maxLength: 500, nullable: true),
                    SupersededById = table.Column<long>(type: "INTEGER", nullable: true)
                },
                constraints: table =>
                {
                    table.PrimaryKey("PK_SamplingDraws", x => x.Id);
                    table.ForeignKey(
                        name: "FK_SamplingDraws_Periods_PeriodId",
                        column: x => x.PeriodId,
                        principalTable: "Periods",
                        principalColumn: "Id",
                        onDelete: ReferentialAction.Cascade);
                    table.ForeignKey(
                        name: "FK_SamplingDraws_SamplingDraws_SupersededById",
                        column: x => x.SupersededById,
                        principalTable: "SamplingDraws",
                        principalColumn: "Id");
                });

            migrationBuilder.CreateTable(
                name: "InspectionGroups",
                columns: table => new
                {
                    Id = table.Column<int>(type: "INTEGER", nullable: false)
                        .Annotation("Sqlite:Autoincrement", true),
                    PeriodId = table.Column<string>(type: "TEXT", maxLength: 16, nullable: false),
                    Number = table.Column<int>(type: "INTEGER", nullable: false),
                    Name = table.Column<string>(type: "TEXT", maxLength: 100, nullable: false),
                    SampleDrawId = table.Column<long>(type: "INTEGER", nullable: true),
                    FormedBy = table.Column<string>(type: "TEXT", maxLength: 100, nullable: false),
                    FormedAt = table.Column<long>(type: "INTEGER", nullable: false)
                },
                constraints: table =>
                {
                    table.PrimaryKey("PK_InspectionGroups", x => x.Id);
                    table.ForeignKey(
                        name: "FK_InspectionGroups_Periods_PeriodId",
                        column: x => x.PeriodId,
                        principalTable: "Periods",
                        principalColumn: "Id",
                        onDelete: ReferentialAction.Cascade);
                    table.ForeignKey(
                        name: "FK_InspectionGroups_SamplingDraws_SampleDrawId",
                        column: x => x.SampleDrawId,
                        principalTable: "SamplingDraws",
                        principalColumn: "Id");
                });

            migrationBuilder.CreateTable(
                name: "InspectionFindings",
                columns: table => new
                {
                    Id = table.Column<long>(type: "INTEGER", nullable: false)
                        .Annotation("Sqlite:Autoincrement", true),
                    ClientId = table.Column<string>(type: "TEXT", maxLength: 64, nullable: false),
                    Author = table.Column<string>(type: "TEXT", maxLength: 100, nullable: false),
                    GroupId = table.Column<int>(type: "INTEGER", nullable: false),
                    PeriodId = table.Column<string>(type: "TEXT", maxLength: 16, nullable: false),
                    SiteId = table.Column<string>(type: "TEXT", maxLength: 100, nullable: false),
                    UnitId = table.Column<string>(type: "TEXT", maxLength: 64, nullable: false),
                    IndicatorId = table.Column<string>(type: "TEXT", maxLength: 64, nullable: false),
                    Points = table.Column<double>(type: "REAL", nullable: false),
                    Note = table.Column<string>(type: "TEXT", maxLength: 2000, nullable: true),
                    Latitude = table.Column<double>(type: "REAL", nullable: true),
                    Longitude = table.Column<double>(type: "REAL", nullable: true),
                    Accuracy = table.Column<double>(type: "REAL", nullable: true),
                    ObservedAt = table.Column<long>(type: "INTEGER", nullable: false),
                    ReceivedAt = table.Column<long>(type: "INTEGER", nullable: false),
                    FactId = table.Column<long>(type: "INTEGER", nullable: false)
                },
                constraints: table =>
                {
                    table.PrimaryKey("PK_InspectionFindings", x => x.Id);
                    table.ForeignKey(
                        name: "FK_InspectionFindings_Facts_FactId",
                        column: x => x.FactId,
                        principalTable: "Facts",
                        principalColumn: "Id",
                        onDelete: ReferentialAction.Cascade);
                    table.ForeignKey(
                        name: "FK_InspectionFindings_InspectionGroups_GroupId",
                        column: x => x.GroupId,
                        principalTable: "InspectionGroups",
                        principalColumn: "Id",
                        onDelete: ReferentialAction.Restrict);
                });

            migrationBuilder.CreateTable(
                name: "InspectionGroupMembers",
                columns: table => new
                {
                    Id = table.Column<long>(type: "INTEGER", nullable: false)
                        .Annotation("Sqlite:Autoincrement", true),
                    GroupId = table.Column<int>(type: "INTEGER", nullable: false),
                    PeriodId = table.Column<string>(type: "TEXT", maxLength: 16, nullable: false),
                    InspectorId = table.Column<string>(type: "TEXT", maxLength: 64, nullable: false)
                },
                constraints: table =>
                {
                    table.PrimaryKey("PK_InspectionGroupMembers", x => x.Id);
                    table.ForeignKey(
                        name: "FK_InspectionGroupMembers_InspectionGroups_GroupId",
                        column: x => x.GroupId,
                        principalTable: "InspectionGroups",
                        principalColumn: "Id",
                        onDelete: ReferentialAction.Cascade);
                    table.ForeignKey(
                        name: "FK_InspectionGroupMembers_Inspectors_InspectorId",
                        column: x => x.InspectorId,
                        principalTable: "Inspectors",
                        principalColumn: "Id",
                        onDelete: ReferentialAction.Cascade);
                });

            migrationBuilder.CreateTable(
                name: "InspectionSites",
                columns: table => new
                {
                    Id = table.Column<long>(type: "INTEGER", nullable: false)
                        .Annotation("Sqlite:Autoincrement", true),
                    GroupId = table.Column<int>(type: "INTEGER", nullable: false),
                    PeriodId = table.Column<string>(type: "TEXT", maxLength: 16, nullable: false),
                    SiteId = table.Column<string>(type: "TEXT", maxLength: 100, nullable: false),
                    Name = table.Column<string>(type: "TEXT", maxLength: 100, nullable: false),
                    PrefectureId = table.Column<string>(type: "TEXT", maxLength: 64, nullable: false),
                    Kind = table.Column<string>(type: "TEXT", maxLength: 16, nullable: false),
                    UnitId = table.Column<string>(type: "TEXT", maxLength: 64, nullable: false)
                },
                constraints: table =>
                {
                    table.PrimaryKey("PK_InspectionSites", x => x.Id);
                    table.ForeignKey(
                        name: "FK_InspectionSites_InspectionGroups_GroupId",
                        column: x => x.GroupId,
                        principalTable: "InspectionGroups",
                        principalColumn: "Id",
                        onDelete: ReferentialAction.Cascade);
                });

            migrationBuilder.CreateTable(
                name: "InspectionPhotos",
                columns: table => new
                {
                    Id = table.Column<long>(type: "INTEGER", nullable: false)
                        .Annotation("Sqlite:Autoincrement", true),
                    FindingId = table.Column<long>(type: "INTEGER", nullable: false),
                    ClientId = table.Column<string>(type: "TEXT", maxLength: 64, nullable: false),
                    AttachmentId = table.Column<long>(type: "INTEGER", nullable: false)
                },
                constraints: table =>
                {
                    table.PrimaryKey("PK_InspectionPhotos", x => x.Id);
                    table.ForeignKey(
                        name: "FK_InspectionPhotos_Attachments_AttachmentId",
                        column: x => x.AttachmentId,
                        principalTable: "Attachments",
                        principalColumn: "Id",
                        onDelete: ReferentialAction.Cascade);
                    table.ForeignKey(
                        name: "FK_InspectionPhotos_InspectionFindings_FindingId",
                        column: x => x.FindingId,
                        principalTable: "InspectionFindings",
                        principalColumn: "Id",
                        onDelete: ReferentialAction.Cascade);
                });

            migrationBuilder.CreateIndex(
                name: "IX_InspectionFindings_Author_ClientId",
                table: "InspectionFindings",
                columns: new[] { "Author", "ClientId" },
                unique: true);

            migrationBuilder.CreateIndex(
                name: "IX_InspectionFindings_FactId",
                table: "InspectionFindings",
                column: "FactId");

            migrationBuilder.CreateIndex(
                name: "IX_InspectionFindings_GroupId_SiteId",
                table: "InspectionFindings",
                columns: new[] { "GroupId", "SiteId" });

            migrationBuilder.CreateIndex(
                name: "IX_InspectionGroupMembers_GroupId",
                table: "InspectionGroupMembers",
                column: "GroupId");

            migrationBuilder.CreateIndex(
                name: "IX_InspectionGroupMembers_InspectorId",
                table: "InspectionGroupMembers",
                column: "InspectorId");

            migrationBuilder.CreateIndex(
                name: "IX_InspectionGroupMembers_PeriodId_InspectorId",
                table: "InspectionGroupMembers",
                columns: new[] { "PeriodId", "InspectorId" },
                unique: true);

            migrationBuilder.CreateIndex(
                name: "IX_InspectionGroups_PeriodId_Number",
                table: "InspectionGroups",
                columns: new[] { "PeriodId", "Number" },
                unique: true);

            migrationBuilder.CreateIndex(
                name: "IX_InspectionGroups_SampleDrawId",
                table: "InspectionGroups",
                column: "SampleDrawId");

            migrationBuilder.CreateIndex(
                name: "IX_InspectionPhotos_AttachmentId",
                table: "InspectionPhotos",
                column: "AttachmentId");

            migrationBuilder.CreateIndex(
                name: "IX_InspectionPhotos_FindingId_ClientId",
                table: "InspectionPhotos",
                columns: new[] { "FindingId", "ClientId" },
                unique: true);

            migrationBuilder.CreateIndex(
                name: "IX_InspectionSites_GroupId",
                table: "InspectionSites",
                column: "GroupId");

            migrationBuilder.CreateIndex(
                name: "IX_InspectionSites_PeriodId_SiteId",
                table: "InspectionSites",
                columns: new[] { "PeriodId", "SiteId" },
                unique: true);

            migrationBuilder.CreateIndex(
                name: "IX_Inspectors_PrefectureId",
                table: "Inspectors",
                column: "PrefectureId");

            migrationBuilder.CreateIndex(
                name: "IX_Inspectors_UserName",
                table: "Inspectors",
                column: "UserName");

            migrationBuilder.CreateIndex(
                name: "IX_SamplingDraws_PeriodId",
                table: "SamplingDraws",
                column: "PeriodId");

            migrationBuilder.CreateIndex(
                name: "IX_SamplingDraws_SupersededById",
                table: "SamplingDraws",
                column: "SupersededById");
        }

        /// <inheritdoc />
        protected override void Down(MigrationBuilder migrationBuilder)
        {
            migrationBuilder.DropTable(
                name: "InspectionGroupMembers");

            migrationBuilder.DropTable(
                name: "InspectionPhotos");

            migrationBuilder.DropTable(
                name: "InspectionSites");

            migrationBuilder.DropTable(
                name: "Inspectors");

            migrationBuilder.DropTable(
                name: "InspectionFindings");

            migrationBuilder.DropTable(
                name: "InspectionGroups");

            migrationBuilder.DropTable(
                name: "SamplingDraws");
        }
    }
}
