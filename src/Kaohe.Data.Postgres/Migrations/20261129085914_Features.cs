using System;
using Microsoft.EntityFrameworkCore.Migrations;
using Npgsql.EntityFrameworkCore.PostgreSQL.Metadata;

#nullable disable

namespace Kaohe.Data.Postgres.Migrations
{
    /// <inheritdoc />
    public partial class Features : Migration
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

            migrationBuilder.AddColumn<bool>(
                name: "Late",
                table: "Facts",
                type: "boolean",
                nullable: false,
                defaultValue: false);

            migrationBuilder.AddColumn<DateTimeOffset>(
                name: "ReviewedAt",
                table: "Facts",
                type: "timestamp with time zone",
                nullable: true);

            migrationBuilder.AddColumn<string>(
                name: "ReviewedBy",
                table: "Facts",
                type: "character varying(100)",
                maxLength: 100,
                nullable: true);

            migrationBuilder.AddColumn<DateTimeOffset>(
                name: "SubmittedAt",
                table: "Facts",
                type: "timestamp with time zone",
                nullable: true);

            migrationBuilder.CreateTable(
                name: "AdjustmentRules",
                columns: table => new
                {
                    Id = table.Column<int>(type: "integer", nullable: false)
                        .Annotation("Npgsql:ValueGenerationStrategy", NpgsqlValueGenerationStrategy.IdentityByDefaultColumn),
                    Category = table.Column<string>(type: "character varying(32)", maxLength: 32, nullable: false),
                    PeriodId = table.Column<string>(type: "character varying(16)", maxLength: 16, nullable: false),
                    Code = table.Column<string>(type: "character varying(64)", maxLength: 64, nullable: false),
                    Kind = table.Column<string>(type: "character varying(16)", maxLength: 16, nullable: false),
                    Source = table.Column<string>(type: "character varying(100)", maxLength: 100, nullable: false),
                    NameZh = table.Column<string>(type: "character varying(200)", maxLength: 200, nullable: false),
                    NameEn = table.Column<string>(type: "character varying(200)", maxLength: 200, nullable: false),
                    Points = table.Column<double>(type: "double precision", nullable: false),
                    MinPoints = table.Column<double>(type: "double precision", nullable: true),
                    MaxPoints = table.Column<double>(type: "double precision", nullable: true),
                    Bands = table.Column<string>(type: "character varying(2000)", maxLength: 2000, nullable: true),
                    Order = table.Column<int>(type: "integer", nullable: false)
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
                name: "AnnualSettings",
                columns: table => new
                {
                    Year = table.Column<int>(type: "integer", nullable: false),
                    Category = table.Column<string>(type: "character varying(32)", maxLength: 32, nullable: false),
                    Q1 = table.Column<double>(type: "double precision", nullable: false),
                    Q2 = table.Column<double>(type: "double precision", nullable: false),
                    Q3 = table.Column<double>(type: "double precision", nullable: false),
                    Q4 = table.Column<double>(type: "double precision", nullable: false),
                    Leadership = table.Column<double>(type: "double precision", nullable: false)
                },
                constraints: table =>
                {
                    table.PrimaryKey("PK_AnnualSettings", x => new { x.Year, x.Category });
                });

            migrationBuilder.CreateTable(
                name: "Appeals",
                columns: table => new
                {
                    Id = table.Column<long>(type: "bigint", nullable: false)
                        .Annotation("Npgsql:ValueGenerationStrategy", NpgsqlValueGenerationStrategy.IdentityByDefaultColumn),
                    PeriodId = table.Column<string>(type: "character varying(16)", maxLength: 16, nullable: false),
                    Category = table.Column<string>(type: "character varying(32)", maxLength: 32, nullable: false),
                    UnitId = table.Column<string>(type: "character varying(64)", maxLength: 64, nullable: false),
                    IndicatorId = table.Column<string>(type: "character varying(64)", maxLength: 64, nullable: true),
                    FactId = table.Column<long>(type: "bigint", nullable: true),
                    Reason = table.Column<string>(type: "character varying(4000)", maxLength: 4000, nullable: false),
                    SubmittedBy = table.Column<string>(type: "character varying(100)", maxLength: 100, nullable: false),
                    SubmittedAt = table.Column<DateTimeOffset>(type: "timestamp with time zone", nullable: false),
                    Status = table.Column<string>(type: "character varying(16)", maxLength: 16, nullable: false),
                    Decision = table.Column<string>(type: "character varying(4000)", maxLength: 4000, nullable: true),
                    DecidedBy = table.Column<string>(type: "character varying(100)", maxLength: 100, nullable: true),
                    DecidedAt = table.Column<DateTimeOffset>(type: "timestamp with time zone", nullable: true)
                },
                constraints: table =>
                {
                    table.PrimaryKey("PK_Appeals", x => x.Id);
                });

            migrationBuilder.CreateTable(
                name: "BulletinNarratives",
                columns: table => new
                {
                    PeriodId = table.Column<string>(type: "character varying(16)", maxLength: 16, nullable: false),
                    DocumentNumber = table.Column<string>(type: "character varying(100)", maxLength: 100, nullable: false),
                    Overview = table.Column<string>(type: "text", nullable: false),
                    GoodPractices = table.Column<string>(type: "text", nullable: false),
                    Weaknesses = table.Column<string>(type: "text", nullable: false),
                    Rectification = table.Column<string>(type: "text", nullable: false),
                    UpdatedBy = table.Column<string>(type: "character varying(100)", maxLength: 100, nullable: false),
                    UpdatedAt = table.Column<DateTimeOffset>(type: "timestamp with time zone", nullable: false)
                },
                constraints: table =>
                {
                    table.PrimaryKey("PK_BulletinNarratives", x => x.PeriodId);
                });

            migrationBuilder.CreateTable(
                name: "InsightCauseAnalyses",
                columns: table => new
                {
                    Id = table.Column<long>(type: "bigint", nullable: false)
                        .Annotation("Npgsql:ValueGenerationStrategy", NpgsqlValueGenerationStrategy.IdentityByDefaultColumn),
                    PeriodId = table.Column<string>(type: "character varying(16)", maxLength: 16, nullable: false),
                    UnitId = table.Column<string>(type: "character varying(64)", maxLength: 64, nullable: false),
                    Category = table.Column<string>(type: "character varying(32)", maxLength: 32, nullable: false),
                    Causes = table.Column<string>(type: "character varying(8000)", maxLength: 8000, nullable: false),
                    Commitments = table.Column<string>(type: "character varying(16000)", maxLength: 16000, nullable: false),
                    SubmittedBy = table.Column<string>(type: "character varying(100)", maxLength: 100, nullable: false),
                    SubmittedAt = table.Column<DateTimeOffset>(type: "timestamp with time zone", nullable: false)
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
                    Id = table.Column<long>(type: "bigint", nullable: false)
                        .Annotation("Npgsql:ValueGenerationStrategy", NpgsqlValueGenerationStrategy.IdentityByDefaultColumn),
                    PeriodId = table.Column<string>(type: "character varying(16)", maxLength: 16, nullable: false),
                    UnitId = table.Column<string>(type: "character varying(64)", maxLength: 64, nullable: false),
                    Author = table.Column<string>(type: "character varying(100)", maxLength: 100, nullable: false),
                    AuthorName = table.Column<string>(type: "character varying(100)", maxLength: 100, nullable: false),
                    Rater = table.Column<string>(type: "character varying(32)", maxLength: 32, nullable: false),
                    Text = table.Column<string>(type: "character varying(4000)", maxLength: 4000, nullable: false),
                    CreatedAt = table.Column<DateTimeOffset>(type: "timestamp with time zone", nullable: false)
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
                    Id = table.Column<long>(type: "bigint", nullable: false)
                        .Annotation("Npgsql:ValueGenerationStrategy", NpgsqlValueGenerationStrategy.IdentityByDefaultColumn),
                    PeriodId = table.Column<string>(type: "character varying(16)", maxLength: 16, nullable: false),
                    UnitId = table.Column<string>(type: "character varying(64)", maxLength: 64, nullable: false),
                    Title = table.Column<string>(type: "character varying(200)", maxLength: 200, nullable: false),
                    Body = table.Column<string>(type: "character varying(8000)", maxLength: 8000, nullable: false),
                    Tags = table.Column<string>(type: "character varying(200)", maxLength: 200, nullable: false),
                    Status = table.Column<string>(type: "character varying(16)", maxLength: 16, nullable: false),
                    SubmittedBy = table.Column<string>(type: "character varying(100)", maxLength: 100, nullable: false),
                    SubmittedAt = table.Column<DateTimeOffset>(type: "timestamp with time zone", nullable: false),
                    CuratedBy = table.Column<string>(type: "character varying(100)", maxLength: 100, nullable: true),
                    CuratedAt = table.Column<DateTimeOffset>(type: "timestamp with time zone", nullable: true),
                    CuratorNote = table.Column<string>(type: "character varying(1000)", maxLength: 1000, nullable: true)
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
                    PeriodId = table.Column<string>(type: "character varying(16)", maxLength: 16, nullable: false),
                    WeightShare = table.Column<double>(type: "double precision", nullable: false),
                    RaterShare = table.Column<double>(type: "double precision", nullable: false),
                    Samples = table.Column<int>(type: "integer", nullable: false),
                    Seed = table.Column<int>(type: "integer", nullable: false),
                    CloseCallPoints = table.Column<double>(type: "double precision", nullable: false),
                    UpdatedBy = table.Column<string>(type: "character varying(100)", maxLength: 100, nullable: false),
                    UpdatedAt = table.Column<DateTimeOffset>(type: "timestamp with time zone", nullable: false)
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
                    Id = table.Column<long>(type: "bigint", nullable: false)
                        .Annotation("Npgsql:ValueGenerationStrategy", NpgsqlValueGenerationStrategy.IdentityByDefaultColumn),
                    PeriodId = table.Column<string>(type: "character varying(16)", maxLength: 16, nullable: false),
                    Category = table.Column<string>(type: "character varying(32)", maxLength: 32, nullable: false),
                    BaseSchemeId = table.Column<int>(type: "integer", nullable: false),
                    Name = table.Column<string>(type: "character varying(200)", maxLength: 200, nullable: false),
                    Document = table.Column<string>(type: "text", nullable: false),
                    CreatedBy = table.Column<string>(type: "character varying(100)", maxLength: 100, nullable: false),
                    CreatedAt = table.Column<DateTimeOffset>(type: "timestamp with time zone", nullable: false),
                    UpdatedAt = table.Column<DateTimeOffset>(type: "timestamp with time zone", nullable: false),
                    SavedAsSchemeId = table.Column<int>(type: "integer", nullable: true)
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

            migrationBuilder.CreateTable(
                name: "Inspectors",
                columns: table => new
                {
                    Id = table.Column<string>(type: "character varying(64)", maxLength: 64, nullable: false),
                    Name = table.Column<string>(type: "character varying(100)", maxLength: 100, nullable: false),
                    PrefectureId = table.Column<string>(type: "character varying(64)", maxLength: 64, nullable: false),
                    Bureau = table.Column<string>(type: "character varying(200)", maxLength: 200, nullable: false),
                    UserName = table.Column<string>(type: "character varying(256)", maxLength: 256, nullable: true)
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

            migrationBuilder.CreateTable(
                name: "ReviewWindows",
                columns: table => new
                {
                    PeriodId = table.Column<string>(type: "character varying(16)", maxLength: 16, nullable: false),
                    OpensOn = table.Column<DateOnly>(type: "date", nullable: false),
                    ClosesOn = table.Column<DateOnly>(type: "date", nullable: false),
                    State = table.Column<string>(type: "character varying(16)", maxLength: 16, nullable: false),
                    OpenedBy = table.Column<string>(type: "character varying(100)", maxLength: 100, nullable: false),
                    OpenedAt = table.Column<DateTimeOffset>(type: "timestamp with time zone", nullable: false),
                    ClosedBy = table.Column<string>(type: "character varying(100)", maxLength: 100, nullable: true),
                    ClosedAt = table.Column<DateTimeOffset>(type: "timestamp with time zone", nullable: true),
                    Reason = table.Column<string>(type: "character varying(2000)", maxLength: 2000, nullable: true)
                },
                constraints: table =>
                {
                    table.PrimaryKey("PK_ReviewWindows", x => x.PeriodId);
                });

            migrationBuilder.CreateTable(
                name: "SamplingDraws",
                columns: table => new
                {
                    Id = table.Column<long>(type: "bigint", nullable: false)
                        .Annotation("Npgsql:ValueGenerationStrategy", NpgsqlValueGenerationStrategy.IdentityByDefaultColumn),
                    PeriodId = table.Column<string>(type: "character varying(16)", maxLength: 16, nullable: false),
                    Algorithm = table.Column<string>(type: "character varying(100)", maxLength: 100, nullable: false),
                    Seed = table.Column<string>(type: "character varying(200)", maxLength: 200, nullable: false),
                    PerStratumJson = table.Column<string>(type: "text", nullable: false),
                    EligibleJson = table.Column<string>(type: "text", nullable: false),
                    ResultJson = table.Column<string>(type: "text", nullable: false),
                    DrawnBy = table.Column<string>(type: "character varying(100)", maxLength: 100, nullable: false),
                    DrawnAt = table.Column<DateTimeOffset>(type: "timestamp with time zone", nullable: false),
                    Reason = table.Column<string>(type: "character varying(500)", maxLength: 500, nullable: true),
                    SupersededById = table.Column<long>(type: "bigint", nullable: true)
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
                name: "ScoringClosure",
                columns: table => new
                {
                    Id = table.Column<long>(type: "bigint", nullable: false)
                        .Annotation("Npgsql:ValueGenerationStrategy", NpgsqlValueGenerationStrategy.IdentityByDefaultColumn),
                    PeriodId = table.Column<string>(type: "character varying(16)", maxLength: 16, nullable: false),
                    ClosedBy = table.Column<string>(type: "character varying(100)", maxLength: 100, nullable: false),
                    ClosedAt = table.Column<DateTimeOffset>(type: "timestamp with time zone", nullable: false)
                },
                constraints: table =>
                {
                    table.PrimaryKey("PK_ScoringClosure", x => x.Id);
                    table.ForeignKey(
                        name: "FK_ScoringClosure_Periods_PeriodId",
                        column: x => x.PeriodId,
                        principalTable: "Periods",
                        principalColumn: "Id",
                        onDelete: ReferentialAction.Cascade);
                });

            migrationBuilder.CreateTable(
                name: "SurveyQuestionnaires",
                columns: table => new
                {
                    Id = table.Column<int>(type: "integer", nullable: false)
                        .Annotation("Npgsql:ValueGenerationStrategy", NpgsqlValueGenerationStrategy.IdentityByDefaultColumn),
                    PeriodId = table.Column<string>(type: "character varying(16)", maxLength: 16, nullable: false),
                    Category = table.Column<string>(type: "character varying(32)", maxLength: 32, nullable: false),
                    IndicatorId = table.Column<string>(type: "character varying(64)", maxLength: 64, nullable: false),
                    Version = table.Column<int>(type: "integer", nullable: false),
                    Title = table.Column<string>(type: "character varying(200)", maxLength: 200, nullable: false),
                    LanguagesJson = table.Column<string>(type: "character varying(200)", maxLength: 200, nullable: false),
                    Document = table.Column<string>(type: "text", nullable: false),
                    Status = table.Column<string>(type: "character varying(16)", maxLength: 16, nullable: false),
                    ProtectedClientKey = table.Column<string>(type: "character varying(1000)", maxLength: 1000, nullable: false),
                    CreatedBy = table.Column<string>(type: "character varying(100)", maxLength: 100, nullable: false),
                    CreatedAt = table.Column<DateTimeOffset>(type: "timestamp with time zone", nullable: false)
                },
                constraints: table =>
                {
                    table.PrimaryKey("PK_SurveyQuestionnaires", x => x.Id);
                    table.ForeignKey(
                        name: "FK_SurveyQuestionnaires_Periods_PeriodId",
                        column: x => x.PeriodId,
                        principalTable: "Periods",
                        principalColumn: "Id",
                        onDelete: ReferentialAction.Cascade);
                });

            migrationBuilder.CreateTable(
                name: "SurveySites",
                columns: table => new
                {
                    Id = table.Column<int>(type: "integer", nullable: false)
                        .Annotation("Npgsql:ValueGenerationStrategy", NpgsqlValueGenerationStrategy.IdentityByDefaultColumn),
                    PeriodId = table.Column<string>(type: "character varying(16)", maxLength: 16, nullable: false),
                    UnitId = table.Column<string>(type: "character varying(64)", maxLength: 64, nullable: false),
                    Place = table.Column<string>(type: "character varying(100)", maxLength: 100, nullable: false),
                    Code = table.Column<string>(type: "character varying(16)", maxLength: 16, nullable: false),
                    Quota = table.Column<int>(type: "integer", nullable: false),
                    Order = table.Column<int>(type: "integer", nullable: false),
                    NextSerial = table.Column<int>(type: "integer", nullable: false)
                },
                constraints: table =>
                {
                    table.PrimaryKey("PK_SurveySites", x => x.Id);
                    table.ForeignKey(
                        name: "FK_SurveySites_Periods_PeriodId",
                        column: x => x.PeriodId,
                        principalTable: "Periods",
                        principalColumn: "Id",
                        onDelete: ReferentialAction.Cascade);
                    table.ForeignKey(
                        name: "FK_SurveySites_Units_UnitId",
                        column: x => x.UnitId,
                        principalTable: "Units",
                        principalColumn: "Id",
                        onDelete: ReferentialAction.Cascade);
                });

            migrationBuilder.CreateTable(
                name: "AdjustmentEvents",
                columns: table => new
                {
                    Id = table.Column<long>(type: "bigint", nullable: false)
                        .Annotation("Npgsql:ValueGenerationStrategy", NpgsqlValueGenerationStrategy.IdentityByDefaultColumn),
                    Key = table.Column<string>(type: "character varying(40)", maxLength: 40, nullable: false),
                    PeriodId = table.Column<string>(type: "character varying(16)", maxLength: 16, nullable: false),
                    UnitId = table.Column<string>(type: "character varying(64)", maxLength: 64, nullable: false),
                    RuleId = table.Column<int>(type: "integer", nullable: false),
                    RuleCode = table.Column<string>(type: "character varying(64)", maxLength: 64, nullable: false),
                    Kind = table.Column<string>(type: "character varying(16)", maxLength: 16, nullable: false),
                    Points = table.Column<double>(type: "double precision", nullable: true),
                    SpendingPercent = table.Column<double>(type: "double precision", nullable: true),
                    Reason = table.Column<string>(type: "character varying(1000)", maxLength: 1000, nullable: false),
                    DocumentRef = table.Column<string>(type: "character varying(200)", maxLength: 200, nullable: true),
                    Status = table.Column<string>(type: "character varying(16)", maxLength: 16, nullable: false),
                    RequestedBy = table.Column<string>(type: "character varying(100)", maxLength: 100, nullable: false),
                    RequestedAt = table.Column<DateTimeOffset>(type: "timestamp with time zone", nullable: false),
                    DecidedBy = table.Column<string>(type: "character varying(100)", maxLength: 100, nullable: true),
                    DecidedAt = table.Column<DateTimeOffset>(type: "timestamp with time zone", nullable: true),
                    DecisionNote = table.Column<string>(type: "character varying(1000)", maxLength: 1000, nullable: true),
                    FactId = table.Column<long>(type: "bigint", nullable: true)
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

            migrationBuilder.CreateTable(
                name: "InspectionGroups",
                columns: table => new
                {
                    Id = table.Column<int>(type: "integer", nullable: false)
                        .Annotation("Npgsql:ValueGenerationStrategy", NpgsqlValueGenerationStrategy.IdentityByDefaultColumn),
                    PeriodId = table.Column<string>(type: "character varying(16)", maxLength: 16, nullable: false),
                    Number = table.Column<int>(type: "integer", nullable: false),
                    Name = table.Column<string>(type: "character varying(100)", maxLength: 100, nullable: false),
                    SampleDrawId = table.Column<long>(type: "bigint", nullable: true),
                    FormedBy = table.Column<string>(type: "character varying(100)", maxLength: 100, nullable: false),
                    FormedAt = table.Column<DateTimeOffset>(type: "timestamp with time zone", nullable: false)
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
                name: "SurveyBatches",
                columns: table => new
                {
                    Id = table.Column<int>(type: "integer", nullable: false)
                        .Annotation("Npgsql:ValueGenerationStrategy", NpgsqlValueGenerationStrategy.IdentityByDefaultColumn),
                    SiteId = table.Column<int>(type: "integer", nullable: false),
                    FirstSerial = table.Column<int>(type: "integer", nullable: false),
                    Count = table.Column<int>(type: "integer", nullable: false),
                    PerSheet = table.Column<int>(type: "integer", nullable: false),
                    ProtectedSecret = table.Column<string>(type: "character varying(1000)", maxLength: 1000, nullable: false),
                    CreatedBy = table.Column<string>(type: "character varying(100)", maxLength: 100, nullable: false),
                    CreatedAt = table.Column<DateTimeOffset>(type: "timestamp with time zone", nullable: false)
                },
                constraints: table =>
                {
                    table.PrimaryKey("PK_SurveyBatches", x => x.Id);
                    table.ForeignKey(
                        name: "FK_SurveyBatches_SurveySites_SiteId",
                        column: x => x.SiteId,
                        principalTable: "SurveySites",
                        principalColumn: "Id",
                        onDelete: ReferentialAction.Cascade);
                });

            migrationBuilder.CreateTable(
                name: "InspectionFindings",
                columns: table => new
                {
                    Id = table.Column<long>(type: "bigint", nullable: false)
                        .Annotation("Npgsql:ValueGenerationStrategy", NpgsqlValueGenerationStrategy.IdentityByDefaultColumn),
                    ClientId = table.Column<string>(type: "character varying(64)", maxLength: 64, nullable: false),
                    Author = table.Column<string>(type: "character varying(100)", maxLength: 100, nullable: false),
                    GroupId = table.Column<int>(type: "integer", nullable: false),
                    PeriodId = table.Column<string>(type: "character varying(16)", maxLength: 16, nullable: false),
                    SiteId = table.Column<string>(type: "character varying(100)", maxLength: 100, nullable: false),
                    UnitId = table.Column<string>(type: "character varying(64)", maxLength: 64, nullable: false),
                    IndicatorId = table.Column<string>(type: "character varying(64)", maxLength: 64, nullable: false),
                    Points = table.Column<double>(type: "double precision", nullable: false),
                    Note = table.Column<string>(type: "character varying(2000)", maxLength: 2000, nullable: true),
                    Latitude = table.Column<double>(type: "double precision", nullable: true),
                    Longitude = table.Column<double>(type: "double precision", nullable: true),
                    Accuracy = table.Column<double>(type: "double precision", nullable: true),
                    ObservedAt = table.Column<DateTimeOffset>(type: "timestamp with time zone", nullable: false),
                    ReceivedAt = table.Column<DateTimeOffset>(type: "timestamp with time zone", nullable: false),
                    FactId = table.Column<long>(type: "bigint", nullable: false)
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
                    Id = table.Column<long>(type: "bigint", nullable: false)
                        .Annotation("Npgsql:ValueGenerationStrategy", NpgsqlValueGenerationStrategy.IdentityByDefaultColumn),
                    GroupId = table.Column<int>(type: "integer", nullable: false),
                    PeriodId = table.Column<string>(type: "character varying(16)", maxLength: 16, nullable: false),
                    InspectorId = table.Column<string>(type: "character varying(64)", maxLength: 64, nullable: false)
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
                    Id = table.Column<long>(type: "bigint", nullable: false)
                        .Annotation("Npgsql:ValueGenerationStrategy", NpgsqlValueGenerationStrategy.IdentityByDefaultColumn),
                    GroupId = table.Column<int>(type: "integer", nullable: false),
                    PeriodId = table.Column<string>(type: "character varying(16)", maxLength: 16, nullable: false),
                    SiteId = table.Column<string>(type: "character varying(100)", maxLength: 100, nullable: false),
                    Name = table.Column<string>(type: "character varying(100)", maxLength: 100, nullable: false),
                    PrefectureId = table.Column<string>(type: "character varying(64)", maxLength: 64, nullable: false),
                    Kind = table.Column<string>(type: "character varying(16)", maxLength: 16, nullable: false),
                    UnitId = table.Column<string>(type: "character varying(64)", maxLength: 64, nullable: false)
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
                name: "SurveyTokens",
                columns: table => new
                {
                    Id = table.Column<long>(type: "bigint", nullable: false)
                        .Annotation("Npgsql:ValueGenerationStrategy", NpgsqlValueGenerationStrategy.IdentityByDefaultColumn),
                    TokenHash = table.Column<string>(type: "character varying(64)", maxLength: 64, nullable: false),
                    SiteId = table.Column<int>(type: "integer", nullable: false),
                    BatchId = table.Column<int>(type: "integer", nullable: false),
                    Serial = table.Column<int>(type: "integer", nullable: false),
                    UsedAt = table.Column<DateTimeOffset>(type: "timestamp with time zone", nullable: true)
                },
                constraints: table =>
                {
                    table.PrimaryKey("PK_SurveyTokens", x => x.Id);
                    table.ForeignKey(
                        name: "FK_SurveyTokens_SurveyBatches_BatchId",
                        column: x => x.BatchId,
                        principalTable: "SurveyBatches",
                        principalColumn: "Id",
                        onDelete: ReferentialAction.Cascade);
                    table.ForeignKey(
                        name: "FK_SurveyTokens_SurveySites_SiteId",
                        column: x => x.SiteId,
                        principalTable: "SurveySites",
                        principalColumn: "Id",
                        onDelete: ReferentialAction.Cascade);
                });

            migrationBuilder.CreateTable(
                name: "InspectionPhotos",
                columns: table => new
                {
                    Id = table.Column<long>(type: "bigint", nullable: false)
                        .Annotation("Npgsql:ValueGenerationStrategy", NpgsqlValueGenerationStrategy.IdentityByDefaultColumn),
                    FindingId = table.Column<long>(type: "bigint", nullable: false),
                    ClientId = table.Column<string>(type: "character varying(64)", maxLength: 64, nullable: false),
                    AttachmentId = table.Column<long>(type: "bigint", nullable: false)
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

            migrationBuilder.CreateTable(
                name: "SurveyResponses",
                columns: table => new
                {
                    Id = table.Column<long>(type: "bigint", nullable: false)
                        .Annotation("Npgsql:ValueGenerationStrategy", NpgsqlValueGenerationStrategy.IdentityByDefaultColumn),
                    SiteId = table.Column<int>(type: "integer", nullable: false),
                    QuestionnaireId = table.Column<int>(type: "integer", nullable: false),
                    AnswersJson = table.Column<string>(type: "text", nullable: false),
                    Channel = table.Column<string>(type: "character varying(16)", maxLength: 16, nullable: false),
                    TokenId = table.Column<long>(type: "bigint", nullable: true),
                    PaperSheet = table.Column<string>(type: "character varying(32)", maxLength: 32, nullable: true),
                    Language = table.Column<string>(type: "character varying(16)", maxLength: 16, nullable: false),
                    ReceivedAt = table.Column<DateTimeOffset>(type: "timestamp with time zone", nullable: false),
                    ClientHash = table.Column<string>(type: "character varying(64)", maxLength: 64, nullable: true),
                    EnteredBy = table.Column<string>(type: "character varying(100)", maxLength: 100, nullable: true)
                },
                constraints: table =>
                {
                    table.PrimaryKey("PK_SurveyResponses", x => x.Id);
                    table.ForeignKey(
                        name: "FK_SurveyResponses_SurveyQuestionnaires_QuestionnaireId",
                        column: x => x.QuestionnaireId,
                        principalTable: "SurveyQuestionnaires",
                        principalColumn: "Id",
                        onDelete: ReferentialAction.Cascade);
                    table.ForeignKey(
                        name: "FK_SurveyResponses_SurveySites_SiteId",
                        column: x => x.SiteId,
                        principalTable: "SurveySites",
                        principalColumn: "Id",
                        onDelete: ReferentialAction.Cascade);
                    table.ForeignKey(
                        name: "FK_SurveyResponses_SurveyTokens_TokenId",
                        column: x => x.TokenId,
                        principalTable: "SurveyTokens",
                        principalColumn: "Id");
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

            migrationBuilder.CreateIndex(
                name: "IX_Appeals_PeriodId_UnitId",
                table: "Appeals",
                columns: new[] { "PeriodId", "UnitId" });

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

            migrationBuilder.CreateIndex(
                name: "IX_SamplingDraws_PeriodId",
                table: "SamplingDraws",
                column: "PeriodId");

            migrationBuilder.CreateIndex(
                name: "IX_SamplingDraws_SupersededById",
                table: "SamplingDraws",
                column: "SupersededById");

            migrationBuilder.CreateIndex(
                name: "IX_ScoringClosure_PeriodId",
                table: "ScoringClosure",
                column: "PeriodId",
                unique: true);

            migrationBuilder.CreateIndex(
                name: "IX_SurveyBatches_SiteId",
                table: "SurveyBatches",
                column: "SiteId");

            migrationBuilder.CreateIndex(
                name: "IX_SurveyQuestionnaires_PeriodId_Version",
                table: "SurveyQuestionnaires",
                columns: new[] { "PeriodId", "Version" },
                unique: true);

            migrationBuilder.CreateIndex(
                name: "IX_SurveyResponses_QuestionnaireId",
                table: "SurveyResponses",
                column: "QuestionnaireId");

            migrationBuilder.CreateIndex(
                name: "IX_SurveyResponses_SiteId_PaperSheet",
                table: "SurveyResponses",
                columns: new[] { "SiteId", "PaperSheet" },
                unique: true);

            migrationBuilder.CreateIndex(
                name: "IX_SurveyResponses_TokenId",
                table: "SurveyResponses",
                column: "TokenId",
                unique: true);

            migrationBuilder.CreateIndex(
                name: "IX_SurveySites_PeriodId_Code",
                table: "SurveySites",
                columns: new[] { "PeriodId", "Code" },
                unique: true);

            migrationBuilder.CreateIndex(
                name: "IX_SurveySites_PeriodId_Place",
                table: "SurveySites",
                columns: new[] { "PeriodId", "Place" },
                unique: true);

            migrationBuilder.CreateIndex(
                name: "IX_SurveySites_UnitId",
                table: "SurveySites",
                column: "UnitId");

            migrationBuilder.CreateIndex(
                name: "IX_SurveyTokens_BatchId",
                table: "SurveyTokens",
                column: "BatchId");

            migrationBuilder.CreateIndex(
                name: "IX_SurveyTokens_SiteId_Serial",
                table: "SurveyTokens",
                columns: new[] { "SiteId", "Serial" },
                unique: true);

            migrationBuilder.CreateIndex(
                name: "IX_SurveyTokens_TokenHash",
                table: "SurveyTokens",
                column: "TokenHash",
                unique: true);

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
                name: "AdjustmentEvents");

            migrationBuilder.DropTable(
                name: "AnnualSettings");

            migrationBuilder.DropTable(
                name: "Appeals");

            migrationBuilder.DropTable(
                name: "BulletinNarratives");

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

            migrationBuilder.DropTable(
                name: "InspectionGroupMembers");

            migrationBuilder.DropTable(
                name: "InspectionPhotos");

            migrationBuilder.DropTable(
                name: "InspectionSites");

            migrationBuilder.DropTable(
                name: "Notifications");

            migrationBuilder.DropTable(
                name: "RectificationEvents");

            migrationBuilder.DropTable(
                name: "RectificationPolicies");

            migrationBuilder.DropTable(
                name: "ReviewWindows");

            migrationBuilder.DropTable(
                name: "ScoringClosure");

            migrationBuilder.DropTable(
                name: "SurveyResponses");

            migrationBuilder.DropTable(
                name: "AdjustmentRules");

            migrationBuilder.DropTable(
                name: "Inspectors");

            migrationBuilder.DropTable(
                name: "InspectionFindings");

            migrationBuilder.DropTable(
                name: "SurveyQuestionnaires");

            migrationBuilder.DropTable(
                name: "SurveyTokens");

            migrationBuilder.DropTable(
                name: "InspectionGroups");

            migrationBuilder.DropTable(
                name: "SurveyBatches");

            migrationBuilder.DropTable(
                name: "SamplingDraws");

            migrationBuilder.DropTable(
                name: "SurveySites");

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

            migrationBuilder.DropColumn(
                name: "Late",
                table: "Facts");

            migrationBuilder.DropColumn(
                name: "ReviewedAt",
                table: "Facts");

            migrationBuilder.DropColumn(
                name: "ReviewedBy",
                table: "Facts");

            migrationBuilder.DropColumn(
                name: "SubmittedAt",
                table: "Facts");

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
