#include "gs1_code_lists.hpp"

#include <bitset>

namespace edgestock::scanners::gs1 {
namespace {

// The lists as the GS1 Barcode Syntax Dictionary's linters hold them (the
// same commit as gs1_ai_table.inc); "a-b" is a run of consecutive codes.
constexpr std::string_view kIso3166Numeric =
    "004 008 010 012 016 020 024 028 031-032 036 040 044 048 050-052 056 060 "
    "064 068 070 072 074 076 084 086 090 092 096 100 104 108 112 116 120 124 "
    "132 136 140 144 148 152 156 158 162 166 170 174 175 178 180 184 188 191 "
    "192 196 203-204 208 212 214 218 222 226 231-234 238-239 242 246 248 250 254 "
    "258 260 262 266 268 270 275 276 288 292 296 300 304 308 312 316 "
    "320 324 328 332 334 336 340 344 348 352 356 360 364 368 372 376 380 "
    "384 388 392 398 400 404 408 410 414 417-418 422 426 428 430 434 438 440 442 446 "
    "450 454 458 462 466 470 474 478 480 484 492 496 498-500 504 508 "
    "512 516 520 524 528 531 533-535 540 548 554 558 562 566 570 574 "
    "578 580 581 583 584 585 586 591 598 600 604 608 612 616 620 624 626 630 634 638 "
    "642 643 646 652 654 659 660 662 663 666 670 674 678 682 686 688 690 694 702 703 "
    "704 705 706 710 716 724 728 729 732 740 744 748 752 756 760 762 764 "
    "768 772 776 780 784 788 792 795 796 798 800 804 807 818 826 831 "
    "832 833 834 840 850 854 858 860 862 876 882 887 894";

constexpr std::string_view kIso4217Numeric =
    "008 012 032 036 044 048 050-052 060 064 068 072 084 090 096 104 108 116 124 "
    "132 136 144 152 156 170 174 188 191-192 203 208 214 222 230 232 238 242 262 270 292 "
    "320 324 328 332 340 344 348 352 356 360 364 368 376 "
    "388 392 398 400 404 408 410 414 417-418 422 426 430 434 446 454 458 462 480 484 496 498 504 "
    "512 516 524 532-533 548 554 558 566 578 586 590 598 600 604 608 634 643 646 654 682 690 694 702 "
    "704 706 710 728 748 752 756 760 764 776 780 784 788 800 807 818 826 834 840 858 860 882 886 "
    "901 924-925 927-934 936 938 940-941 943-944 946-953 955-959 "
    "960-965 967-973 975-981 984-986 990 994 997 999";

constexpr std::string_view kIso3166Alpha2 =
    "AD-AG AI AL-AM AO AQ-AU AW-AX AZ-BB BD-BJ BL-BO BQ-BT BV-BW BY-CA CC-CD CF-CH CI CK-CL "
    "CM-CO CR CU-CZ DE DJ DK DM DO DZ EC EE EG-EH ER-ET "
    "FI-FJ FK FM FO FR GA-GB GD-GI GL-GN GP-GU GW GY "
    "HK HM-HN HR HT-HU ID-IE IL-IO IQ-IT JE JM JO-JP "
    "KE KG-KI KM-KN KP KR KW KY-KZ LA-LC LI LK LR-LV LY MA MC-MH "
    "MK-NA NC NE-NG NI NL NO-NP NR NU NZ OM "
    "PA PE-PH PK-PN PR-PT PW PY QA RE "
    "RO RS RU RW SA-SE SG-SO SR-ST SV SX-SZ TC-TD TF-TH TJ-TO TR "
    "TT TV-TW TZ UA UG UM US UY UZ VA VC VE VG VI VN VU "
    "WF WS YE YT ZA ZM ZW";

// Surrounded by spaces so that " CODE " finds exactly one code.
constexpr std::string_view kPackageTypes =
    " 1A 1B 1D 1F 1G 1W 200 201 202 203 204 205 206 210 211 212 2C 3A 3H 43 44 4A 4B 4C 4D 4F 4G 4H "
    "5H 5L 5M 6H 6P 7A 7B 8 8A 8B 8C 9 AA AB AC AD AF AG AH AI AJ AL AM AP APE AT AV "
    "B4 BB BC BD BE BF BG BGE BH BI BJ BK BL BM BME BN BO BP BQ BR BRI BS BT BU BV BW BX BY BZ "
    "CA CB CBL CC CCE CD CE CF CG CH CI CJ CK CL CM CN CO CP CQ CR CS CT CU CV CW CX CY CZ "
    "DA DB DC DG DH DI DJ DK DL DM DN DP DPE DR DS DT DU DV DW DX DY E1 E2 E3 EC ED EE EF EG EH EI EN "
    "FB FC FD FE FI FL FO FOB FP FPE FR FT FW FX GB GI GL GR GU GY GZ HA HB HC HG HN HR "
    "IA IB IC ID IE IF IG IH IK IL IN IZ JB JC JG JR JT JY KG KI LAB LE LG LT LU LV LZ "
    "MA MB MC ME MPE MR MS MT MW MX NA NE NF NG NS NT NU NV OA OB OC OD OE OF OK OPE OT OU "
    "P2 PA PAE PB PC PD PE PF PG PH PI PJ PK PL PLP PN PO POP PP PPE PR PT PU PUE PV PX PY PZ "
    "QA QB QC QD QF QG QH QJ QK QL QM QN QP QQ QR QS RB1 RB2 RB3 RCB RD RG RJ RK RL RO RT RZ "
    "S1 SA SB SC SD SE SEC SH SI SK SL SM SO SP SS ST STL SU SV SW SX SY SZ "
    "T1 TB TC TD TE TEV TG THE TI TK TL TN TO TR TRE TS TT TTE TU TV TW TWE TY TZ UC UN UUE "
    "VA VG VI VK VL VN VO VP VQ VR VS VY "
    "WA WB WC WD WF WG WH WJ WK WL WM WN WP WQ WR WRP WS WT WU WV WW WX WY WZ "
    "X11 X12 X15 X16 X17 X18 X19 X20 X3 XA XB XC XD XF XG XH XJ XK "
    "YA YB YC YD YF YG YH YJ YK YL YM YN YP YQ YR YS YT YV YW YX YY YZ "
    "ZA ZB ZC ZD ZF ZG ZH ZJ ZK ZL ZM ZN ZP ZQ ZR ZS ZT ZU ZV ZW ZX ZY ZZ ";

int three_digits(std::string_view text) {
  if (text.size() != 3) return -1;
  int value = 0;
  for (const char c : text) {
    if (c < '0' || c > '9') return -1;
    value = value * 10 + (c - '0');
  }
  return value;
}

int two_letters(std::string_view text) {
  if (text.size() != 2 || text[0] < 'A' || text[0] > 'Z' || text[1] < 'A' || text[1] > 'Z') return -1;
  return (text[0] - 'A') * 26 + (text[1] - 'A');
}

// Expands "004 031-032 ..." (or "AD-AG AI ...") into a set of codes.
template <std::size_t N, typename Code>
std::bitset<N> expand(std::string_view list, Code code) {
  std::bitset<N> set;
  std::size_t pos = 0;
  while (pos < list.size()) {
    auto end = list.find(' ', pos);
    if (end == std::string_view::npos) end = list.size();
    const auto item = list.substr(pos, end - pos);
    const auto dash = item.find('-');
    const int first = code(item.substr(0, dash));
    const int last = dash == std::string_view::npos ? first : code(item.substr(dash + 1));
    for (int value = first; value >= 0 && value <= last; ++value) set.set(static_cast<std::size_t>(value));
    pos = end + 1;
  }
  return set;
}

}  // namespace

bool is_iso3166_numeric(std::string_view text) {
  static const auto kSet = expand<1000>(kIso3166Numeric, three_digits);
  const int value = three_digits(text);
  return value >= 0 && kSet.test(static_cast<std::size_t>(value));
}

bool is_iso3166_alpha2(std::string_view text) {
  static const auto kSet = expand<676>(kIso3166Alpha2, two_letters);
  const int value = two_letters(text);
  return value >= 0 && kSet.test(static_cast<std::size_t>(value));
}

bool is_iso4217_numeric(std::string_view text) {
  static const auto kSet = expand<1000>(kIso4217Numeric, three_digits);
  const int value = three_digits(text);
  return value >= 0 && kSet.test(static_cast<std::size_t>(value));
}

bool is_package_type(std::string_view code) {
  if (code.empty() || code.find(' ') != std::string_view::npos) return false;
  const std::string needle = " " + std::string(code) + " ";
  return kPackageTypes.find(needle) != std::string_view::npos;
}

}  // namespace edgestock::scanners::gs1
