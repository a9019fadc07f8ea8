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
        Initial = [new Outcome<TwinState>(default, Key(default))];
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


    public Outcome<TwinState>? Step(TwinState s, int a)
    {
        ulong next = Next(s.Bits, a, Length, MaxDepth, out int bad);
        if (next == Disabled) return null;
        var t = new TwinState(next);
        return new Outcome<TwinState>(t, Key(t), bad < 0 ? null : [StepOneViolation(bad)]);
    }

    private const ulong Disabled = ulong.MaxValue;

    private static Violation StepOneViolation(int retired) =>
        new("STEP-ONE", retired == 0 ? "none" : "extra", 0, $"the twin's step retired {retired} instruction(s)");

    /// <summary>One transition on the packed word (arm64_step.pml's d_steps; the inlines are
    /// commented there): the successor, or <see cref="Disabled"/>; <paramref name="bad"/> is the
    /// retirement count of a step that ended with STEP-ONE violated, else -1.</summary>
    /// <remarks>Written on locals so that the run loop stays in registers.</remarks>
    private static ulong Next(ulong b, int a, int length, int maxDepth, out int bad)
    {
        bad = -1;
        uint prog = (uint)(b & 0xFFFF);
        int nb = (int)(b >> 16) & 0xF;
        if (a < 4)
        {
            if (nb >= length) return Disabled;
            return (b & ~0xF0000UL) | (ulong)a << (2 * nb) | (ulong)(nb + 1) << 16;
        }
        int d = (int)(b >> 36) & 0xFF;
        if (nb != length || d >= maxDepth) return Disabled;
        d++;
        int pc = (int)(b >> 20) & 0xF;
        bool ss = (b >> 24 & 1) != 0, dbg = (b >> 25 & 1) != 0, hw = (b >> 26 & 1) != 0, pend = (b >> 27 & 1) != 0;
        bool md = (b >> 28 & 1) != 0, sig = (b >> 29 & 1) != 0;
        int er = (int)(b >> 30) & 3, x0 = (int)(b >> 32) & 3, ret = (int)(b >> 34) & 3;
        switch (a)
        {
            case SetStep:
                if (!dbg) ret = 0;
                dbg = true;
                break;
            case ClearDebug:
                ret = 0;
                dbg = false;
                break;
            case MmioData:
                md = true;
                break;
            case Run or RunImmediate:
                // RunProtocol's KVM_RUN rows.
                if (dbg && pend)
                {
                    // StepExitAfterMmioReturn: kvm_handle_mmio_return, then kvm_arm_handle_step_debug.
                    x0 = md ? X0Data : X0Zero;
                    pend = false;
                    ret = ret < 2 ? ret + 1 : 2;
                    er = ErDebug;
                    if (ret != 1) bad = ret;
                    ret = 0;
                    break;
                }
                if (pend)
                {
                    // mmio_return: complete_access, retire_completion_at_decode_pc.
                    x0 = md ? X0Data : X0Zero;
                    pend = false;
                    if (dbg) ret = ret < 2 ? ret + 1 : 2;
                }
                if (a == RunImmediate) break;
                int rs = Enter, cause = 0, n = 0;
                bool hirq = false;
                while (rs != Vmm)
                {
                    if (rs == Enter)
                    {
                        if (sig) { sig = false; er = ErIntr; rs = Vmm; }
                        else { hw = dbg; ss = dbg; rs = Guest; } // setup_debug (SS := 1 when stepping), world_switch_enter
                    }
                    else if (rs == Guest)
                    {
                        if (hirq) { hirq = false; cause = CHostIrq; rs = Exit; }
                        else if (hw && !ss) { cause = CSwStep; rs = Exit; }
                        else
                        {
                            int ins = pc < length ? (int)(prog >> (2 * pc)) & 3 : Nop;
                            if (ins == Nop)
                            {
                                // native execution (the loop branch at index length goes back to 0)
                                pc = pc < length ? pc + 1 : 0;
                                if (hw && ss) ss = false;
                                if (dbg) ret = ret < 2 ? ret + 1 : 2;
                            }
                            else if (ins == Hvc)
                            {
                                pc++;
                                if (hw && ss) ss = false;
                                if (dbg) ret = ret < 2 ? ret + 1 : 2;
                                cause = CHvc;
                                rs = Exit;
                            }
                            else
                            {
                                cause = ins == MmioUser ? CMmioUser : CMmioKern;
                                rs = Exit;
                            }
                        }
                    }
                    else
                    {
                        // handle_exit
                        if (cause == CSwStep)
                        {
                            er = ErDebug;
                            if (ret != 1) bad = ret;
                            ret = 0;
                            rs = Vmm;
                        }
                        else if (cause == CHostIrq) rs = Enter;
                        else if (cause == CMmioUser) { pc++; pend = true; er = ErMmio; rs = Vmm; }
                        else
                        {
                            if (cause == CMmioKern)
                            {
                                x0 = X0Vgic;
                                if (dbg) ret = ret < 2 ? ret + 1 : 2;
                                pc++;
                            }
                            else x0 = X0Psci;
                            if (dbg)
                            {
                                er = ErDebug;
                                if (ret != 1) bad = ret;
                                ret = 0;
                                rs = Vmm;
                            }
                            else rs = Enter;
                        }
                    }
                    if (++n == Fuel) { sig = true; hirq = rs == Guest; }
                }
                break;
            default:
                return Disabled;
        }
        return prog | (ulong)nb << 16 | (ulong)pc << 20 | B(ss) << 24 | B(dbg) << 25 | B(hw) << 26 | B(pend) << 27 | B(md) << 28 | B(sig) << 29
            | (ulong)er << 30 | (ulong)x0 << 32 | (ulong)ret << 34 | (ulong)d << 36;
    }

    private static ulong B(bool v) => v ? 1UL : 0UL;
}
