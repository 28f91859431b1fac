using System.Text.Json.Nodes;

namespace Kaohe.Scoring.Tests.Validation;

/// <summary>
/// A valid v1 document using most methods, to be broken one member at a time. Indices used by the tests:
/// units[0] lasa, units[1] rikaze; indicators[0] A (sum of A1 efficacy, A2 ratio), indicators[1] B raters,
/// indicators[2] C survey, indicators[3] D deduction; values[0..1] A1, [2..3] A2, [4..7] B, [8..9] C, [10..11] D.
/// </summary>
internal static class ValidDocument
{
    public static JsonObject Create() => (JsonObject)JsonNode.Parse("""
    {
      "kaohe": 1,
      "period": "2023-Q1",
      "units": [
        { "id": "lasa", "name": "拉萨市住建局", "group": "地市住建局" },
        { "id": "rikaze", "name": "日喀则市住建局", "group": "地市住建局" }
      ],
      "indicators": [
        { "id": "A", "name": "投资", "points": 40, "combine": "sum", "children": [
          { "id": "A1", "name": "投资任务完成率", "points": 20, "method": { "kind": "efficacy", "satisfactory": "best", "unallowable": "worst" } },
          { "id": "A2", "name": "项目开工率", "points": 20, "method": { "kind": "ratio", "target": 1, "cap": 1.2 } } ] },
        { "id": "B", "name": "领导评价", "points": 30, "method": { "kind": "raters", "raters": [ { "id": "principal", "weight": 0.5 }, { "id": "in-charge", "weight": 0.5 } ] } },
        { "id": "C", "name": "群众满意度", "points": 10, "method": { "kind": "survey", "options": [ { "id": "满意", "value": 100 }, { "id": "基本满意", "value": 75 }, { "id": "不满意", "value": 55 }, { "id": "不了解", "value": null } ] } },
        { "id": "D", "name": "信息报送", "points": 20, "method": { "kind": "deduction", "perFinding": 1 } }
      ],
      "values": [
        { "unit": "lasa", "indicator": "A1", "value": 1.28 },
        { "unit": "rikaze", "indicator": "A1", "value": 0.95 },
        { "unit": "lasa", "indicator": "A2", "value": 0.9 },
        { "unit": "rikaze", "indicator": "A2", "value": 1.1, "target": 1.2 },
        { "unit": "lasa", "indicator": "B", "rater": "principal", "value": 92 },
        { "unit": "lasa", "indicator": "B", "rater": "in-charge", "value": 88 },
        { "unit": "rikaze", "indicator": "B", "rater": "principal", "value": 85 },
        { "unit": "rikaze", "indicator": "B", "rater": "in-charge", "value": 90 },
        { "unit": "lasa", "indicator": "C", "counts": { "满意": 60, "基本满意": 30, "不满意": 10, "不了解": 5 } },
        { "unit": "rikaze", "indicator": "C", "counts": { "满意": 50, "基本满意": 40, "不满意": 10 } },
        { "unit": "lasa", "indicator": "D", "findings": 2 },
        { "unit": "rikaze", "indicator": "D", "findings": [ { "points": 1.5, "note": "迟报" } ] }
      ],
      "adjustments": [ { "unit": "lasa", "points": 2, "reason": "受国家部委表扬" } ],
      "vetoes": [],
      "rules": { "bonusCap": 5, "deductionCap": 10,
                 "grades": [ { "name": "优秀", "min": 90 }, { "name": "良好", "min": 80 }, { "name": "合格", "min": 60 }, { "name": "不合格", "min": null } ],
                 "rankDecimals": 2, "commend": 1, "criticize": 1 }
    }
    """)!;
}
