using System.Numerics;
using System.Runtime.CompilerServices;
using System.Runtime.InteropServices;

namespace Kaohe.Scoring;

public sealed partial class CompiledAssessment
{
    private enum LeafKind { Efficacy, Banded, Ratio, Threshold, Relative, Rank, Deduction, Raters, Survey, Direct }

    /// <summary>
    /// A leaf's method with its parameters copied into plain fields and arrays once, at compile time,
    /// so that the loops over a group's units read locals instead of record properties and lists.
    /// Every derived number (a band's width, base + span, Σ weights) is computed by the same
    /// operation the formula would compute it by, so the scores are the same, bit for bit.
    /// </summary>
    private sealed class LeafPlan
    {
        public LeafKind Kind;
        public double Points;
        public bool Higher;
        // efficacy
        public BoundKind SatisfactoryKind, UnallowableKind;
        public double SatisfactoryFixed, UnallowableFixed, Base, Span, BasePlusSpan;
        public bool ClampRange;
        public int RatioDecimals = -1;
        // banded: per level
        public double Sign;
        public double[] SignedValue = [], Value = [], Coef = [], PointsTimesCoef = [], Width = [], CoefStep = [];
        // ratio, relative
        public double Cap, MethodTarget;
        // threshold
        public double Threshold, StepBelow, StepAbove, MaxAbove;
        // rank
        public double Step;
        // deduction
        public double MaxDeduction;
        // raters
        public double[] Weights = [];
        public double WeightSum;

        public static LeafPlan Of(Method method, double points)
        {
            var p = new LeafPlan { Points = points };
            switch (method)
            {
                case EfficacyMethod e:
                    p.Kind = LeafKind.Efficacy;
                    p.Higher = e.Direction == Direction.Higher;
                    p.SatisfactoryKind = e.Satisfactory.Kind; p.SatisfactoryFixed = e.Satisfactory.Fixed;
                    p.UnallowableKind = e.Unallowable.Kind; p.UnallowableFixed = e.Unallowable.Fixed;
                    p.Base = e.Base; p.Span = e.Span; p.BasePlusSpan = e.Base + e.Span;
                    p.ClampRange = e.Clamp == ClampMode.Range;
                    p.RatioDecimals = e.RatioDecimals ?? -1;
                    break;
                case BandedMethod b:
                {
                    p.Kind = LeafKind.Banded;
                    p.Sign = b.Direction == Direction.Higher ? 1.0 : -1.0;
                    var n = b.Levels.Count;
                    p.Value = new double[n]; p.SignedValue = new double[n]; p.Coef = new double[n];
                    p.PointsTimesCoef = new double[n]; p.Width = new double[n]; p.CoefStep = new double[n];
                    for (var i = 0; i < n; i++)
                    {
                        var level = b.Levels[i];
                        p.Value[i] = level.Value;
                        p.SignedValue[i] = p.Sign * level.Value;
                        p.Coef[i] = level.Coef;
                        p.PointsTimesCoef[i] = points * level.Coef;
                        if (i > 0)
                        {
                            var upper = b.Levels[i - 1];
                            p.Width[i] = upper.Value - level.Value;
                            p.CoefStep[i] = upper.Coef - level.Coef;
                        }
                    }
                    break;
                }
                case RatioMethod r:
                    p.Kind = LeafKind.Ratio; p.Cap = r.Cap; p.MethodTarget = r.Target ?? double.NaN;
                    break;
                case ThresholdMethod t:
                    p.Kind = LeafKind.Threshold; p.Threshold = t.Threshold; p.StepBelow = t.StepBelow; p.StepAbove = t.StepAbove; p.MaxAbove = t.MaxAbove;
                    break;
                case RelativeMethod rel:
                    p.Kind = LeafKind.Relative; p.Cap = rel.Cap;
                    break;
                case RankMethod rk:
                    p.Kind = LeafKind.Rank; p.Step = rk.Step; p.Higher = rk.Direction == Direction.Higher;
                    break;
                case DeductionMethod d:
                    p.Kind = LeafKind.Deduction; p.MaxDeduction = d.MaxDeduction ?? points;
                    break;
                case RatersMethod rs:
                {
                    p.Kind = LeafKind.Raters;
                    p.Weights = [.. rs.Raters.Select(r => r.Weight)];
                    var wsum = 0.0;
                    foreach (var w in p.Weights) wsum += w;
                    p.WeightSum = wsum;
                    break;
                }
                case SurveyMethod:
                    p.Kind = LeafKind.Survey;
                    break;
                case DirectMethod:
                    p.Kind = LeafKind.Direct;
                    break;
                default:
                    throw new NotSupportedException($"method kind {method.Kind}");
            }
            return p;
        }
    }

    /// <summary>Computes group <paramref name="g"/> into <paramref name="block"/>: every node bottom-up, totals, ranks, flags.</summary>
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    private void ComputeGroup(int g, GroupBlock block)
    {
        var start = _groupStart[g];
        var size = block.Size;
        var scores = block.Scores;
        for (var k = _nodes.Length - 1; k >= 0; k--)
        {
            var dst = scores.AsSpan(k * size, size);
            if (_plans[k] is { } plan) ScoreLeaf(k, plan, start, dst);
            else if (_nodes[k].Combine == Combine.Sum) SumNode(k, scores, size, dst);
            else GeometricNode(k, scores, size, dst);
        }

        var totals = scores.AsSpan(block.TotalRow * size, size);
        var rounded = scores.AsSpan((block.TotalRow + 1) * size, size);
        totals.Clear();
        foreach (var r in _roots) AddInto(totals, scores.AsSpan(r * size, size));
        var adjustment = _adjustment.AsSpan(start, size);
        var decimals = _source.Rules.RankDecimals;
        for (var i = 0; i < totals.Length; i++)
        {
            totals[i] += adjustment[i];
            rounded[i] = Rounding.HalfAwayFromZero(totals[i], decimals);
        }
        RankGroup(start, block, rounded);
    }

    /// <summary>dst[i] += src[i]; vectorised (each lane is the same IEEE addition as the scalar one).</summary>
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    private static void AddInto(Span<double> dst, ReadOnlySpan<double> src)
    {
        var i = 0;
        if (Vector.IsHardwareAccelerated)
        {
            for (; i <= dst.Length - Vector<double>.Count; i += Vector<double>.Count)
                Store(Load(dst, i) + Load(src, i), dst, i);
        }
        for (; i < dst.Length; i++) dst[i] += src[i];
    }

    /// <summary>A sum node: 0 + the children's scores, in the children's order.</summary>
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    private void SumNode(int k, double[] scores, int size, Span<double> dst)
    {
        dst.Clear();
        foreach (var c in _children[k]) AddInto(dst, scores.AsSpan(c * size, size));
    }

    /// <summary>
    /// A geometric node: rating = Π rating_c^(points_c / Σ points), computed as exp(Σ points_c × ln rating_c / Σ points);
    /// a child rating of 0 (or below, an unclamped efficacy under its floor) makes it 0.
    /// Child by child over the group (the same additions in the same order for each unit): the
    /// ratings are divided out on vector lanes, the logarithms taken one by one.
    /// </summary>
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    private void GeometricNode(int k, double[] scores, int size, Span<double> dst)
    {
        var kids = _children[k];
        var points = _nodes[k].Points;
        var wsum = _childPointsSum[k];
        var logSum = dst; // Σ points_c × ln rating_c, accumulated in place; NaN marks a zero rating
        logSum.Clear();
        var rating = _ratings.AsSpan(0, size);
        var end = VectorEnd(size);
        var v100 = new Vector<double>(100.0);
        foreach (var c in kids)
        {
            var cp = _nodes[c].Points;
            var row = scores.AsSpan(c * size, size);
            var vcp = new Vector<double>(cp);
            for (var i = 0; i < end; i += Vector<double>.Count) Store(v100 * Load(row, i) / vcp, rating, i);
            for (var i = end; i < size; i++) rating[i] = 100 * row[i] / cp;
            for (var i = 0; i < size; i++)
            {
                var r = rating[i];
                if (!(r > 0)) logSum[i] = double.NaN;
                else if (!double.IsNaN(logSum[i])) logSum[i] += cp * Math.Log(r);
            }
        }
        for (var i = 0; i < size; i++)
            dst[i] = double.IsNaN(logSum[i]) ? 0 : points * Math.Exp(logSum[i] / wsum) / 100;
    }

    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    private void ScoreLeaf(int k, LeafPlan plan, int start, Span<double> dst)
    {
        var size = dst.Length;
        switch (plan.Kind)
        {
            case LeafKind.Efficacy: Efficacy(plan, _value[k].AsSpan(start, size), dst); break;
            case LeafKind.Banded: Banded(plan, _value[k].AsSpan(start, size), dst); break;
            case LeafKind.Ratio: Ratio(plan, _value[k].AsSpan(start, size), _target[k].AsSpan(start, size), dst); break;
            case LeafKind.Threshold: Threshold(plan, _value[k].AsSpan(start, size), dst); break;
            case LeafKind.Relative: Relative(plan, _value[k].AsSpan(start, size), dst); break;
            case LeafKind.Rank: Rank(plan, _value[k].AsSpan(start, size), dst, _scratch); break;
            case LeafKind.Deduction: Deduction(plan, _findings[k].AsSpan(start, size), dst); break;
            case LeafKind.Raters: Raters(plan, _raterValue[k], start, dst); break;
            case LeafKind.Survey: Survey(plan, _surveySum[k].AsSpan(start, size), _surveyCounted[k].AsSpan(start, size), dst); break;
            case LeafKind.Direct: _value[k].AsSpan(start, size).CopyTo(dst); break;
        }
    }

    // The leaf loops. Where a loop is vectorised, each lane performs the scalar formula's IEEE
    // operations in the scalar order (no fused multiply-add, no reciprocal), and Math.Clamp's
    // comparisons are done as selects, so every lane's result is the scalar result, bit for bit.

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static Vector<double> Load(ReadOnlySpan<double> s, int i) => Vector.LoadUnsafe(ref MemoryMarshal.GetReference(s), (nuint)i);

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static void Store(Vector<double> v, Span<double> s, int i) => v.StoreUnsafe(ref MemoryMarshal.GetReference(s), (nuint)i);

    /// <summary>Math.Clamp(v, lo, hi) lane by lane (for lo ≤ hi, which the caller checks as Math.Clamp would).</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static Vector<double> Clamp(Vector<double> v, Vector<double> lo, Vector<double> hi) =>
        Vector.ConditionalSelect(Vector.LessThan(v, lo), lo, Vector.ConditionalSelect(Vector.GreaterThan(v, hi), hi, v));

    private static int VectorEnd(int length) => Vector.IsHardwareAccelerated ? length - length % Vector<double>.Count : 0;

    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    private static void Efficacy(LeafPlan plan, ReadOnlySpan<double> x, Span<double> dst)
    {
        var points = plan.Points;
        double best = x[0], worst = best;
        if (plan.Higher)
            foreach (var v in x) { if (v > best) best = v; if (v < worst) worst = v; }
        else
            foreach (var v in x) { if (v < best) best = v; if (v > worst) worst = v; }
        var s = plan.SatisfactoryKind switch { BoundKind.Best => best, BoundKind.Worst => worst, _ => plan.SatisfactoryFixed };
        var un = plan.UnallowableKind switch { BoundKind.Best => best, BoundKind.Worst => worst, _ => plan.UnallowableFixed };
        if (s == un)
        {
            dst.Fill(points * (plan.Base + plan.Span) / 100);
            return;
        }
        var width = s - un;
        double b = plan.Base, span = plan.Span, hi = plan.BasePlusSpan;
        var decimals = plan.RatioDecimals;
        var clamp = plan.ClampRange;
        if (clamp && b > hi) Math.Clamp(b, b, hi); // throws, as the formula would
        var end = VectorEnd(x.Length);
        if (decimals >= 0)
        {
            var done = 0;
            if (end > 0 && decimals <= 15)
                done = EfficacyRounded(x[..end], dst, un, width, decimals, b, span, hi, clamp, points);
            for (var i = done; i < x.Length; i++)
            {
                var rating = b + span * Rounding.HalfAwayFromZero((x[i] - un) / width, decimals);
                if (clamp) rating = Math.Clamp(rating, b, hi);
                dst[i] = points * rating / 100;
            }
            return;
        }
        if (end > 0)
        {
            Vector<double> vb = new(b), vspan = new(span), vhi = new(hi), vun = new(un), vwidth = new(width), vpoints = new(points), v100 = new(100.0);
            for (var i = 0; i < end; i += Vector<double>.Count)
            {
                var rating = vb + vspan * ((Load(x, i) - vun) / vwidth);
                if (clamp) rating = Clamp(rating, vb, vhi);
                Store(vpoints * rating / v100, dst, i);
            }
        }
        for (var i = end; i < x.Length; i++)
        {
            var rating = b + span * ((x[i] - un) / width);
            if (clamp) rating = Math.Clamp(rating, b, hi);
            dst[i] = points * rating / 100;
        }
    }

    /// <summary>
    /// Efficacy with its ratio rounded (ratioDecimals) on vector lanes, using <see cref="Rounding.HalfAwayFromZero"/>'s
    /// fast path lane by lane; a block of lanes any of which the fast path does not decide goes through
    /// the scalar rounding. Returns how many values it wrote (all of <paramref name="x"/>).
    /// </summary>
    private static int EfficacyRounded(ReadOnlySpan<double> x, Span<double> dst, double un, double width, int decimals,
        double b, double span, double hi, bool clamp, double points)
    {
        var scale = Rounding.Scale(decimals);
        Vector<double> vun = new(un), vwidth = new(width), vscale = new(scale), vb = new(b), vspan = new(span), vhi = new(hi),
            vpoints = new(points), v100 = new(100.0), half = new(0.5), one = Vector<double>.One, limit = new(1e15), tolerance = new(1e-13);
        for (var i = 0; i < x.Length; i += Vector<double>.Count)
        {
            var ratio = (Load(x, i) - vun) / vwidth;
            var y = ratio * vscale;
            var ay = Vector.Abs(y);
            var t = Vector.Truncate(y);
            var frac = Vector.Abs(y - t);
            var sign = Vector.ConditionalSelect(Vector.LessThan(y, Vector<double>.Zero), -one, one);
            var n = Vector.ConditionalSelect(Vector.GreaterThan(frac, half), t + sign, t);
            var decided = Vector.LessThan(ay, limit) & Vector.GreaterThan(Vector.Abs(frac - half), ay * tolerance)
                & ~Vector.Equals(n, Vector<double>.Zero);
            if (Vector.EqualsAll(decided, new Vector<long>(-1)))
            {
                var rating = vb + vspan * (n / vscale);
                if (clamp) rating = Clamp(rating, vb, vhi);
                Store(vpoints * rating / v100, dst, i);
            }
            else
            {
                for (var j = i; j < i + Vector<double>.Count; j++)
                {
                    var rating = b + span * Rounding.HalfAwayFromZero((x[j] - un) / width, decimals);
                    if (clamp) rating = Math.Clamp(rating, b, hi);
                    dst[j] = points * rating / 100;
                }
            }
        }
        return x.Length;
    }

    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    private static void Banded(LeafPlan plan, ReadOnlySpan<double> x, Span<double> dst)
    {
        var points = plan.Points;
        var sign = plan.Sign;
        var signed = plan.SignedValue;
        var end = VectorEnd(x.Length);
        if (end > 0)
        {
            // Every band's formula for every lane, then the first band (best first) the value reaches:
            // walking from the worst band to the best, a reached band overwrites the worse ones.
            Vector<double> vsign = new(sign), vpoints = new(points);
            for (var i = 0; i < end; i += Vector<double>.Count)
            {
                var xi = Load(x, i);
                var xs = vsign * xi;
                var score = Vector<double>.Zero;
                for (var l = signed.Length - 1; l >= 1; l--)
                {
                    var band = new Vector<double>(plan.PointsTimesCoef[l])
                        + (xi - new Vector<double>(plan.Value[l])) / new Vector<double>(plan.Width[l]) * vpoints * new Vector<double>(plan.CoefStep[l]);
                    score = Vector.ConditionalSelect(Vector.GreaterThanOrEqual(xs, new Vector<double>(signed[l])), band, score);
                }
                score = Vector.ConditionalSelect(Vector.GreaterThanOrEqual(xs, new Vector<double>(signed[0])), vpoints, score);
                Store(score, dst, i);
            }
        }
        for (var i = end; i < x.Length; i++)
        {
            var xi = x[i];
            var xs = sign * xi;
            var score = 0.0;
            if (xs >= signed[0]) score = points;
            else
            {
                for (var l = 1; l < signed.Length; l++)
                {
                    if (xs >= signed[l])
                    {
                        score = plan.PointsTimesCoef[l] + (xi - plan.Value[l]) / plan.Width[l] * points * plan.CoefStep[l];
                        break;
                    }
                }
            }
            dst[i] = score;
        }
    }

    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    private static void Ratio(LeafPlan plan, ReadOnlySpan<double> x, ReadOnlySpan<double> t, Span<double> dst)
    {
        double points = plan.Points, cap = plan.Cap, methodTarget = plan.MethodTarget;
        var end = cap >= 0 ? VectorEnd(x.Length) : 0;
        if (end > 0)
        {
            Vector<double> vpoints = new(points), vcap = new(cap), vtarget = new(methodTarget), zero = Vector<double>.Zero;
            for (var i = 0; i < end; i += Vector<double>.Count)
            {
                var ti = Load(t, i);
                var target = Vector.ConditionalSelect(Vector.Equals(ti, ti), ti, vtarget); // NaN: the method's target
                Store(vpoints * Clamp(Load(x, i) / target, zero, vcap), dst, i);
            }
        }
        for (var i = end; i < x.Length; i++)
            dst[i] = points * Math.Clamp(x[i] / (double.IsNaN(t[i]) ? methodTarget : t[i]), 0, cap);
    }

    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    private static void Threshold(LeafPlan plan, ReadOnlySpan<double> x, Span<double> dst)
    {
        double points = plan.Points, th = plan.Threshold, below = plan.StepBelow, above = plan.StepAbove, maxAbove = plan.MaxAbove;
        for (var i = 0; i < x.Length; i++)
        {
            var xi = x[i];
            dst[i] = xi >= th
                ? points + Math.Min(maxAbove, above * (xi - th))
                : Math.Max(0, points - below * (th - xi));
        }
    }

    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    private static void Relative(LeafPlan plan, ReadOnlySpan<double> x, Span<double> dst)
    {
        var points = plan.Points;
        var sum = 0.0;
        foreach (var v in x) sum += v;
        var mean = sum / x.Length;
        var cap = plan.Cap;
        var end = mean != 0 && cap >= 0 ? VectorEnd(x.Length) : 0;
        if (end > 0)
        {
            Vector<double> vpoints = new(points), vcap = new(cap), vmean = new(mean), zero = Vector<double>.Zero;
            for (var i = 0; i < end; i += Vector<double>.Count)
                Store(vpoints * Clamp(Load(x, i) / vmean, zero, vcap), dst, i);
        }
        for (var i = end; i < x.Length; i++)
        {
            var xi = x[i];
            var ratio = mean != 0 ? xi / mean : xi == 0 ? 1 : xi > 0 ? cap : 0;
            dst[i] = points * Math.Clamp(ratio, 0, cap);
        }
    }

    /// <summary>Competition ranks (1, 2, 2, 4): 1 + the number of members strictly better.</summary>
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    private static void Rank(LeafPlan plan, ReadOnlySpan<double> x, Span<double> dst, double[] scratch)
    {
        double points = plan.Points, step = plan.Step;
        var counter = new Counter(x, scratch);
        for (var i = 0; i < x.Length; i++)
        {
            var better = plan.Higher ? counter.Greater(x[i]) : counter.Less(x[i]);
            dst[i] = points * Math.Max(0, 100 - step * better) / 100;
        }
    }

    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    private static void Deduction(LeafPlan plan, ReadOnlySpan<double> f, Span<double> dst)
    {
        double points = plan.Points, max = plan.MaxDeduction;
        for (var i = 0; i < f.Length; i++) dst[i] = Math.Max(0, points - Math.Min(max, f[i]));
    }

    /// <summary>Σ weight × rating, row by row: the same additions in the same order for every unit.</summary>
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    private static void Raters(LeafPlan plan, double[]?[] rows, int start, Span<double> dst)
    {
        var size = dst.Length;
        var weights = plan.Weights;
        double points = plan.Points, wsum = plan.WeightSum;
        var end = VectorEnd(size);
        dst.Clear();
        for (var r = 0; r < rows.Length; r++)
        {
            var row = rows[r].AsSpan(start, size);
            var w = weights[r];
            var vw = new Vector<double>(w);
            for (var i = 0; i < end; i += Vector<double>.Count) Store(Load(dst, i) + vw * Load(row, i), dst, i);
            for (var i = end; i < size; i++) dst[i] += w * row[i];
        }
        Vector<double> vpoints = new(points), vwsum = new(wsum), v100 = new(100.0);
        for (var i = 0; i < end; i += Vector<double>.Count) Store(vpoints * Load(dst, i) / vwsum / v100, dst, i);
        for (var i = end; i < size; i++) dst[i] = points * dst[i] / wsum / 100; // ratings are 0–100, as ex3 shows
    }

    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    private static void Survey(LeafPlan plan, ReadOnlySpan<double> sum, ReadOnlySpan<double> counted, Span<double> dst)
    {
        var points = plan.Points;
        var end = VectorEnd(sum.Length);
        Vector<double> vpoints = new(points), v100 = new(100.0);
        for (var i = 0; i < end; i += Vector<double>.Count) Store(vpoints * Load(sum, i) / Load(counted, i) / v100, dst, i);
        for (var i = end; i < sum.Length; i++) dst[i] = points * sum[i] / counted[i] / 100;
    }

    /// <summary>
    /// Counts the values of a group above or below a value. Small groups are counted directly (a
    /// vectorised compare over at most <see cref="DirectCountLimit"/> values); larger ones are sorted
    /// once into <c>scratch</c> and each count is a binary search, so a group of thousands stays O(n log n).
    /// </summary>
    private readonly ref struct Counter
    {
        public const int DirectCountLimit = 64;
        private readonly ReadOnlySpan<double> _values;
        private readonly ReadOnlySpan<double> _sorted;
        private readonly bool _direct;

        public Counter(ReadOnlySpan<double> values, double[] scratch)
        {
            _values = values;
            _direct = values.Length <= DirectCountLimit;
            if (_direct) { _sorted = default; return; }
            var sorted = scratch.AsSpan(0, values.Length);
            values.CopyTo(sorted);
            sorted.Sort();
            _sorted = sorted;
        }

        public int Greater(double v)
        {
            if (_direct) return CountGreater(_values, v);
            int lo = 0, hi = _sorted.Length; // first index whose value is > v
            while (lo < hi) { var mid = (lo + hi) >>> 1; if (_sorted[mid] > v) hi = mid; else lo = mid + 1; }
            return _sorted.Length - lo;
        }

        public int Less(double v)
        {
            if (_direct) return CountLess(_values, v);
            int lo = 0, hi = _sorted.Length; // first index whose value is >= v, i.e. not < v
            while (lo < hi) { var mid = (lo + hi) >>> 1; if (_sorted[mid] < v) lo = mid + 1; else hi = mid; }
            return lo;
        }
    }

    /// <summary>How many of <paramref name="x"/> are greater than <paramref name="v"/>.</summary>
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    private static int CountGreater(ReadOnlySpan<double> x, double v)
    {
        var count = 0;
        var i = 0;
        if (Vector.IsHardwareAccelerated && x.Length >= Vector<double>.Count)
        {
            var vv = new Vector<double>(v);
            var acc = Vector<long>.Zero;
            for (; i <= x.Length - Vector<double>.Count; i += Vector<double>.Count)
                acc -= Vector.GreaterThan(Load(x, i), vv); // true lanes are −1
            count = (int)Vector.Sum(acc);
        }
        for (; i < x.Length; i++) if (x[i] > v) count++;
        return count;
    }

    /// <summary>How many of <paramref name="x"/> are less than <paramref name="v"/>.</summary>
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    private static int CountLess(ReadOnlySpan<double> x, double v)
    {
        var count = 0;
        var i = 0;
        if (Vector.IsHardwareAccelerated && x.Length >= Vector<double>.Count)
        {
            var vv = new Vector<double>(v);
            var acc = Vector<long>.Zero;
            for (; i <= x.Length - Vector<double>.Count; i += Vector<double>.Count)
                acc -= Vector.LessThan(Load(x, i), vv);
            count = (int)Vector.Sum(acc);
        }
        for (; i < x.Length; i++) if (x[i] < v) count++;
        return count;
    }

    /// <summary>
    /// Ranks on the rounded totals (1 + the members strictly above), then 通报表扬 and 通报批评:
    /// the cut-off is the N-th best rounded total among the units not vetoed (N-th worst among those
    /// not commended), and every eligible unit at or beyond it is named, so a tie at the edge takes
    /// every tied unit.
    /// </summary>
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    private void RankGroup(int start, GroupBlock block, ReadOnlySpan<double> rounded)
    {
        var size = block.Size;
        var ranks = block.Ranks.AsSpan(0, size);
        var flags = block.Ranks.AsSpan(size, size);
        var vetoed = _vetoed.AsSpan(start, size);
        var rules = _source.Rules;
        var all = new Counter(rounded, _scratch);
        for (var i = 0; i < size; i++) ranks[i] = 1 + all.Greater(rounded[i]);
        flags.Clear();
        if (rules.Commend > 0)
        {
            var n = 0;
            for (var i = 0; i < size; i++) if (!vetoed[i]) _scratch[n++] = rounded[i];
            if (n > 0)
            {
                var cutoff = NthBest(_scratch.AsSpan(0, n), Math.Min(rules.Commend, n), highest: true);
                for (var i = 0; i < size; i++) if (!vetoed[i] && rounded[i] >= cutoff) flags[i] = GroupBlock.CommendedFlag;
            }
        }
        if (rules.Criticize > 0)
        {
            var n = 0;
            for (var i = 0; i < size; i++) if (flags[i] == 0) _scratch[n++] = rounded[i];
            if (n > 0)
            {
                var cutoff = NthBest(_scratch.AsSpan(0, n), Math.Min(rules.Criticize, n), highest: false);
                for (var i = 0; i < size; i++) if (flags[i] == 0 && rounded[i] <= cutoff) flags[i] = GroupBlock.CriticizedFlag;
            }
        }
    }

    /// <summary>
    /// The <paramref name="n"/>-th highest (or lowest) of <paramref name="values"/>, duplicates counted,
    /// 1 ≤ n ≤ length: what sorting them and taking the n-th would give. Reorders <paramref name="values"/>.
    /// </summary>
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    private static double NthBest(Span<double> values, int n, bool highest)
    {
        if (n > 8)
        {
            values.Sort();
            return highest ? values[^n] : values[n - 1];
        }
        // Small n (通报 names a few units): keep the n best seen so far, best first.
        Span<double> top = stackalloc double[n];
        var count = 0;
        foreach (var v in values)
        {
            if (count == n && !(highest ? v > top[n - 1] : v < top[n - 1])) continue;
            var j = count < n ? count++ : n - 1;
            while (j > 0 && (highest ? v > top[j - 1] : v < top[j - 1])) { top[j] = top[j - 1]; j--; }
            top[j] = v;
        }
        return top[n - 1];
    }

    private static double Resolve(Bound b, double best, double worst) => b.Kind switch
    {
        BoundKind.Best => best,
        BoundKind.Worst => worst,
        _ => b.Fixed,
    };

    /// <summary>The best and worst value within a group, and the first unit holding each.</summary>
    private static (double Best, double Worst, int BestUnit, int WorstUnit) BestWorst(double[] x, int[] members, Direction direction)
    {
        double best = x[members[0]], worst = best;
        int bu = members[0], wu = members[0];
        foreach (var u in members)
        {
            var v = x[u];
            var better = direction == Direction.Higher ? v > best : v < best;
            var worse = direction == Direction.Higher ? v < worst : v > worst;
            if (better) { best = v; bu = u; }
            if (worse) { worst = v; wu = u; }
        }
        return (best, worst, bu, wu);
    }

    private static double Mean(double[] x, int[] members)
    {
        var s = 0.0;
        foreach (var u in members) s += x[u];
        return s / members.Length;
    }

    /// <summary>Competition rank (1 = best, ties share the best rank).</summary>
    private static int RankOf(double[] x, int[] members, int u, Direction direction)
    {
        var better = 0;
        var v = x[u];
        foreach (var o in members)
            if (direction == Direction.Higher ? x[o] > v : x[o] < v) better++;
        return better + 1;
    }
}

/// <summary>The formulas of scoring-format.md, one per leaf method, on plain numbers.</summary>
public static class Methods
{
    public static double Efficacy(EfficacyMethod e, double points, double x, double satisfactory, double unallowable, out double rating)
    {
        if (satisfactory == unallowable)
        {
            rating = e.Base + e.Span;
        }
        else
        {
            var ratio = (x - unallowable) / (satisfactory - unallowable);
            if (e.RatioDecimals is { } dec) ratio = Rounding.HalfAwayFromZero(ratio, dec);
            rating = e.Base + e.Span * ratio;
            if (e.Clamp == ClampMode.Range) rating = Math.Clamp(rating, e.Base, e.Base + e.Span);
        }
        return points * rating / 100;
    }

    public static double Banded(BandedMethod b, double points, double x)
    {
        var levels = b.Levels;
        var sign = b.Direction == Direction.Higher ? 1.0 : -1.0;
        var xs = sign * x;
        if (xs >= sign * levels[0].Value) return points;
        for (var i = 1; i < levels.Count; i++)
        {
            var lower = levels[i];
            if (xs >= sign * lower.Value)
            {
                var upper = levels[i - 1];
                return points * lower.Coef + (x - lower.Value) / (upper.Value - lower.Value) * points * (upper.Coef - lower.Coef);
            }
        }
        return 0;
    }

    public static double Ratio(RatioMethod r, double points, double x, double target) =>
        points * Math.Clamp(x / target, 0, r.Cap);

    public static double Threshold(ThresholdMethod t, double points, double x) =>
        x >= t.Threshold
            ? points + Math.Min(t.MaxAbove, t.StepAbove * (x - t.Threshold))
            : Math.Max(0, points - t.StepBelow * (t.Threshold - x));

    /// <summary>
    /// Relative to the group's mean. When the mean is 0 (every value 0, or values that cancel out)
    /// there is no ratio: a unit at 0 is at the mean (1), above it takes the cap, below it 0.
    /// </summary>
    public static double Relative(RelativeMethod r, double points, double x, double mean)
    {
        var ratio = mean != 0 ? x / mean : x == 0 ? 1 : x > 0 ? r.Cap : 0;
        return points * Math.Clamp(ratio, 0, r.Cap);
    }

    public static double Rank(RankMethod r, double points, int rank) =>
        points * Math.Max(0, 100 - r.Step * (rank - 1)) / 100;

    public static double Deduction(DeductionMethod d, double points, double findingsTotal) =>
        Math.Max(0, points - Math.Min(d.MaxDeduction ?? points, findingsTotal));
}
