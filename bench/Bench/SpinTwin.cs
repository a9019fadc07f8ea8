using System.Runtime.CompilerServices;
using Kvmspec.Model.Exploration.Exhaustive;
using Kvmspec.Spec.Invariants;

namespace Kvmspec.Bench;

/// <summary>The SPIN twin's state: bench/spin/arm64_step.pml's global variables packed in one word.</summary>
/// <remarks>Bits: prog 0..15 (2 per instruction, at most 8), nb 16..19, pc 20..23, ss 24, dbg 25,
/// hw 26, pend 27, md 28, sig 29, er 30..31, x0 32..33, ret 34..35, d 36..43.</remarks>
public readonly record struct TwinState(ulong Bits)
{
    public int Instruction(int i) => (int)(Bits >> (2 * i)) & 3;
    public int Built => (int)(Bits >> 16) & 0xF;
    public int Pc => (int)(Bits >> 20) & 0xF;
    public bool SS => (Bits >> 24 & 1) != 0;
    public bool Dbg => (Bits >> 25 & 1) != 0;
    public bool Hw => (Bits >> 26 & 1) != 0;
    public bool Pend => (Bits >> 27 & 1) != 0;
    public bool MmioData => (Bits >> 28 & 1) != 0;
    public bool Sig => (Bits >> 29 & 1) != 0;
    public int ExitReason => (int)(Bits >> 30) & 3;
    public int X0 => (int)(Bits >> 32) & 3;
    public int Retired => (int)(Bits >> 34) & 3;
    public int Depth => (int)(Bits >> 36) & 0xFF;

    public override string ToString()
    {
        var me = this;
        return $"prog={string.Concat(Enumerable.Range(0, Built).Select(i => "NUKH"[me.Instruction(i)]))} pc={Pc} ss={(SS ? 1 : 0)} dbg={(Dbg ? 1 : 0)} hw={(Hw ? 1 : 0)} " +
        $"pend={(Pend ? 1 : 0)} md={(MmioData ? 1 : 0)} sig={(Sig ? 1 : 0)} er={ExitReason} x0={X0} ret={Retired} d={Depth}";
    }
}

/// <summary>The C# twin of bench/spin/arm64_step.pml: the arm64/v4.15 host single-step machine
/// (guest program of <c>L</c> instructions, at most <c>D</c> VMM actions) with the same state and the
/// same transitions, so that <see cref="Bfs"/> on it counts exactly SPIN's "states stored".</summary>
/// <remarks>
/// Not the product model: an abstraction of it (src/Model/Arm64, variant arm64/v4.15) written to
/// measure the explorer engine against SPIN on the same machine. tests/Properties/SpinTwinTests.cs
/// checks, action by action, that its projection agrees with <c>Simulator</c> on the real model.
/// Actions 0..3 append an instruction (NOP, MMIO load to userspace, MMIO load emulated in the kernel,
/// HVC) while the program is incomplete; 4..8 are the VMM's: KVM_SET_GUEST_DEBUG(ENABLE|SINGLESTEP),
/// KVM_SET_GUEST_DEBUG(0), KVM_RUN, KVM_RUN with immediate_exit, the MMIO data write (0x42).
/// A violated STEP-ONE assertion is reported as a finding (SPIN's <c>assert</c>, run with -c0).
/// </remarks>
public sealed class SpinTwin : IStateSpace<TwinState>
{
    public const int Nop = 0, MmioUser = 1, MmioKern = 2, Hvc = 3;
    public const int SetStep = 4, ClearDebug = 5, Run = 6, RunImmediate = 7, MmioData = 8;
    public const int ErUnknown = 0, ErMmio = 1, ErDebug = 2, ErIntr = 3;
    public const int X0Zero = 0, X0Data = 1, X0Vgic = 2, X0Psci = 3;
    public const int Fuel = 48;

    private const int Vmm = 0, Enter = 1, Guest = 2, Exit = 3;
    private const int CSwStep = 0, CHostIrq = 1, CMmioUser = 2, CMmioKern = 3, CHvc = 4;

    private readonly ulong seed;

    /// <summary>A twin with programs of <paramref name="length"/> instructions and <paramref name="depth"/> VMM actions.</summary>
    public SpinTwin(int length, int depth)
    {
        if (length is < 1 or > 8) throw new ArgumentOutOfRangeException(nameof(length), "1..8 instructions");
        if (depth is < 0 or > 255) throw new ArgumentOutOfRangeException(nameof(depth), "0..255 actions");
        Length = length;
        MaxDepth = depth;
        seed = 0x5350494E_54574E31UL ^ (ulong)(length << 8 | depth);
        Initial = [Outcome(default, null)];
    }

    public int Length { get; }
    public int MaxDepth { get; }

    public IReadOnlyList<Outcome<TwinState>> Initial { get; }

    public int ActionCount(TwinState s) => 9;

    /// <summary>The fingerprint of a state (the packed word, hashed).</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public Fingerprint Key(TwinState s)
    {
        var p = new Packer(seed);
        p.Add(s.Bits);
        return p.Finish();
    }

    private Outcome<TwinState> Outcome(TwinState s, IReadOnlyList<Violation>? found) => new(s, Key(s), found);

    public Outcome<TwinState>? Step(TwinState s, int a)
    {
        var m = new Machine(s);
        if (a < 4)
        {
            if (m.nb >= Length) return null;
            m.prog |= (uint)a << (2 * m.nb);
            m.nb++;
            return Outcome(m.Pack(), null);
        }
        if (m.nb != Length || m.d >= MaxDepth) return null;
        m.d++;
        switch (a)
        {
            case SetStep: if (!m.dbg) m.ret = 0; m.dbg = true; break;
            case ClearDebug: m.ret = 0; m.dbg = false; break;
            case Run: m.KvmRun(false, Length); break;
            case RunImmediate: m.KvmRun(true, Length); break;
            case MmioData: m.md = true; break;
            default: return null;
        }
        return Outcome(m.Pack(), m.bad ? [StepOneViolation(m.badRetired)] : null);
    }

    private static Violation StepOneViolation(int retired) =>
        new("STEP-ONE", retired == 0 ? "none" : "extra", 0, $"the twin's step retired {retired} instruction(s)");

    /// <summary>The unpacked state and the run loop (arm64_step.pml's inlines).</summary>
    public struct Machine
    {
        public uint prog;
        public int nb, pc, er, x0, ret, d;
        public bool ss, dbg, hw, pend, md, sig, bad;
        public int badRetired;

        public Machine(TwinState s)
        {
            ulong b = s.Bits;
            prog = (uint)(b & 0xFFFF);
            nb = (int)(b >> 16) & 0xF;
            pc = (int)(b >> 20) & 0xF;
            ss = (b >> 24 & 1) != 0;
            dbg = (b >> 25 & 1) != 0;
            hw = (b >> 26 & 1) != 0;
            pend = (b >> 27 & 1) != 0;
            md = (b >> 28 & 1) != 0;
            sig = (b >> 29 & 1) != 0;
            er = (int)(b >> 30) & 3;
            x0 = (int)(b >> 32) & 3;
            ret = (int)(b >> 34) & 3;
            d = (int)(b >> 36) & 0xFF;
            bad = false;
            badRetired = 0;
        }

        public readonly TwinState Pack() => new(
            prog | (ulong)nb << 16 | (ulong)pc << 20 | B(ss) << 24 | B(dbg) << 25 | B(hw) << 26 | B(pend) << 27 | B(md) << 28 | B(sig) << 29
            | (ulong)er << 30 | (ulong)x0 << 32 | (ulong)ret << 34 | (ulong)d << 36);

        private static ulong B(bool v) => v ? 1UL : 0UL;

        private readonly int At(int i) => (int)(prog >> (2 * i)) & 3;

        private void Retire()
        {
            if (dbg) ret = ret < 2 ? ret + 1 : 2;
        }

        private void StepExit()
        {
            er = ErDebug;
            if (ret != 1) { bad = true; badRetired = ret; }
            ret = 0;
        }

        private void MmioReturn()
        {
            if (!pend) return;
            x0 = md ? X0Data : X0Zero;
            pend = false;
            Retire();
        }

        /// <summary>RunProtocol's KVM_RUN rows, then (for a run that enters) Simulator.Settle.</summary>
        public void KvmRun(bool immediate, int length)
        {
            if (dbg && pend) { MmioReturn(); StepExit(); return; }
            MmioReturn();
            if (immediate) return;
            int rs = Enter, cause = 0, n = 0;
            bool hirq = false;
            while (rs != Vmm)
            {
                switch (rs)
                {
                    case Enter:
                        if (sig) { sig = false; er = ErIntr; rs = Vmm; break; }
                        hw = dbg;
                        if (dbg) ss = true;
                        ss = hw && ss;
                        rs = Guest;
                        break;
                    case Guest:
                        if (hirq) { hirq = false; cause = CHostIrq; rs = Exit; break; }
                        if (hw && !ss) { cause = CSwStep; rs = Exit; break; }
                        int ins = pc < length ? At(pc) : -1;
                        if (ins == MmioUser) { cause = CMmioUser; rs = Exit; }
                        else if (ins == MmioKern) { cause = CMmioKern; rs = Exit; }
                        else if (ins == Hvc)
                        {
                            pc++;
                            if (hw && ss) ss = false;
                            Retire();
                            cause = CHvc;
                            rs = Exit;
                        }
                        else
                        {
                            pc = pc < length ? pc + 1 : 0;
                            if (hw && ss) ss = false;
                            Retire();
                        }
                        break;
                    default:
                        switch (cause)
                        {
                            case CSwStep: StepExit(); rs = Vmm; break;
                            case CHostIrq: rs = Enter; break;
                            case CMmioUser: pc++; pend = true; er = ErMmio; rs = Vmm; break;
                            default:
                                if (cause == CMmioKern) { x0 = X0Vgic; Retire(); pc++; }
                                else x0 = X0Psci;
                                if (dbg) { StepExit(); rs = Vmm; }
                                else rs = Enter;
                                break;
                        }
                        break;
                }
                if (++n == Fuel) { sig = true; hirq = rs == Guest; }
            }
        }
    }
}
