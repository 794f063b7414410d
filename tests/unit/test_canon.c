/*
 * test_canon.c - canonical identifiers (src/enrich/canon.c) and payout
 * checksums (src/enrich/checksum.c): known spellings of one value compare
 * equal, invalid values are refused, published test vectors verify, and
 * every canonical form is a fixed point (the fuzz target checks the same
 * property on arbitrary input).
 */
#include "core/internal.h"
#include "enrich/checksum.h"
#include "harness.h"

static um_arena A;

typedef char *(*canon_fn)(um_arena *, const char *);

static void fixed(canon_fn f, const char *s) {
    char *c = f(&A, s);
    if (!c) return;
    char *again = f(&A, c);
    CHECK(again != NULL);
    if (again) CHECK_STREQ(again, c);
}

static void test_email(void) {
    CHECK_STREQ(um_canon_email(&A, " J.Doe+jobs@GoogleMail.com "), "jdoe@gmail.com");
    CHECK_STREQ(um_canon_email(&A, "mailto:<Ann@Example.ORG>"), "ann@example.org");
    CHECK_STREQ(um_canon_email(&A, "bob+tag@outlook.com"), "bob@outlook.com");
    CHECK_STREQ(um_canon_email(&A, "bob+tag@example.com"), "bob+tag@example.com"); /* unknown provider: tag kept */
    /* issue 13: a local part that the provider rules empty is not an address */
    CHECK(um_canon_email(&A, "+g@Gmail.com") == NULL);
    CHECK(um_canon_email(&A, "...@gmail.com") == NULL);
    CHECK(um_canon_email(&A, "a..b@example.com") == NULL);
    CHECK(um_canon_email(&A, "a@b") == NULL);
    CHECK(um_canon_email(&A, "a b@example.com") == NULL);
    CHECK(um_email_disposable("x@mailinator.com"));
    CHECK(!um_email_disposable("x@gmail.com"));
    fixed(um_canon_email, "Mixed.Case+x@GMAIL.com");
}

static void test_phone(void) {
    CHECK_STREQ(um_canon_phone(&A, "(415) 555-0123"), "+14155550123");
    CHECK_STREQ(um_canon_phone(&A, "+1 415 555 0123 ext. 12"), "+14155550123");
    CHECK_STREQ(um_canon_phone(&A, "0044 20 7946 0958"), "+442079460958");
    um_phone_type t;
    CHECK_STREQ(um_canon_phone_region(&A, "020 7946 0958", "GB", &t), "+442079460958");
    CHECK_INTEQ(t, UM_PHONE_FIXED);
    CHECK_STREQ(um_canon_phone_region(&A, "07400 123456", "GB", &t), "+447400123456");
    CHECK_INTEQ(t, UM_PHONE_MOBILE);
    CHECK_STREQ(um_canon_phone_region(&A, "0170 1234567", "DE", &t), "+491701234567");
    /* issue 13: this changed on a second pass before */
    char *c = um_canon_phone(&A, "0+0)1190)11933;");
    CHECK(c == NULL);
    CHECK(um_canon_phone(&A, "call me") == NULL);
    CHECK(um_canon_phone(&A, "123") == NULL);
    fixed(um_canon_phone, "00119011933");
    fixed(um_canon_phone, "+81 90-1234-5678");
}

static void test_address(void) {
    const char *x = um_canon_address(&A, "1500 Elm Street, Suite 210, Austin, TX 78701-1234");
    const char *y = um_canon_address(&A, "1500 ELM ST STE 210 AUSTIN TX 78701");
    CHECK_STREQ(x, y);
    CHECK_STREQ(um_canon_address(&A, "12 North Oak Avenue #5"), "12 n oak ave apt 5");
    CHECK_STREQ(um_canon_address(&A, "P.O. Box 12"), "po box 12");
    CHECK_STREQ(um_address_forwarder(um_canon_address(&A, "Shipito, 1 Main St, Torrance")), "shipito");
    CHECK(um_address_forwarder(um_canon_address(&A, "1 Main Street")) == NULL);
    fixed(um_canon_address, "12 North Oak Avenue #5, Apt 7-1234");
}

static void test_accounts(void) {
    CHECK(um_iban_valid("GB82WEST12345698765432"));
    CHECK(!um_iban_valid("GB82WEST12345698765433"));
    const char *c = um_canon_account(&A, "GB82 WEST 1234 5698 7654 32");
    CHECK_STREQ(c, "GB82WEST12345698765432");
    CHECK_INTEQ(um_account_verify("GB82 WEST 1234 5698 7654 32", c), UM_ACCT_IBAN_OK);
    CHECK_INTEQ(um_account_verify("GB82WEST12345698765433", "GB82WEST12345698765433"), UM_ACCT_IBAN_BAD);
    CHECK_INTEQ(um_account_verify("021000021-3119587256", um_canon_account(&A, "021000021-3119587256")),
                UM_ACCT_ABA_OK);
    CHECK_INTEQ(um_account_verify("021000022-3119587256", um_canon_account(&A, "021000022-3119587256")),
                UM_ACCT_ABA_BAD);
    CHECK_INTEQ(um_account_verify("99008-004-2779068", "990080042779068"), UM_ACCT_UNKNOWN);
    fixed(um_canon_account, "gb82 west 1234");
}

static void test_wallets(void) {
    /* EIP-55 test vector and a one-letter case change */
    um_wallet_info w = um_wallet_check("0x5aAeb6053F3E94C9b9A09f33669435E7Ef1BeAed");
    CHECK_STREQ(w.kind, "evm");
    CHECK_INTEQ(w.checksum, 1);
    CHECK_INTEQ(um_wallet_check("0x5aAeb6053f3E94C9b9A09f33669435E7Ef1BeAed").checksum, 0);
    CHECK_INTEQ(um_wallet_check("0x5aaeb6053f3e94c9b9a09f33669435e7ef1beaed").checksum, -1);
    CHECK_STREQ(um_canon_wallet(&A, "ethereum:0x5aAeb6053F3E94C9b9A09f33669435E7Ef1BeAed?value=1"),
                "0x5aaeb6053f3e94c9b9a09f33669435e7ef1beaed");
    CHECK_INTEQ(um_wallet_check("1A1zP1eP5QGefi2DMPTfTL5SLmv7DivfNa").checksum, 1);
    CHECK_INTEQ(um_wallet_check("1A1zP1eP5QGefi2DMPTfTL5SLmv7DivfNb").checksum, 0);
    CHECK_INTEQ(um_wallet_check("bc1qw508d6qejxtdg4y5r3zarvary0c5xw7kv8f3t4").checksum, 1);
    CHECK_INTEQ(um_wallet_check("bc1qw508d6qejxtdg4y5r3zarvary0c5xw7kv8f3t5").checksum, 0);
    CHECK_INTEQ(um_bech32_check("bc1p0xlxvlhemja6c4dqv22uapctqupfhlxm9h8z3k2e72q4k9hcz7vqzk5jj0"), 2);
    w = um_wallet_check("TR7NHqjeKQxGTCi8q8ZY4pL8otSzgjLj6t");
    CHECK_STREQ(w.kind, "tron");
    CHECK_INTEQ(w.checksum, 1);
    w = um_wallet_check("So11111111111111111111111111111111111111112");
    CHECK_STREQ(w.kind, "solana");
    uint8_t h[32];
    um_sha256("abc", 3, h);
    CHECK(h[0] == 0xba && h[1] == 0x78 && h[31] == 0xad);
    um_keccak256("", 0, h);
    CHECK(h[0] == 0xc5 && h[1] == 0xd2 && h[31] == 0x70);
    fixed(um_canon_wallet, "BC1QW508D6QEJXTDG4Y5R3ZARVARY0C5XW7KV8F3T4");
}

static void test_serial_handle(void) {
    CHECK_STREQ(um_canon_serial(&A, "S/N: c02xk1jh-jg5h"), "C02XK1JHJG5H");
    CHECK(um_canon_serial(&A, "SN-A1") == NULL); /* too short once separators go */
    CHECK_STREQ(um_host_serial(&A, "BWL-C02XK1JHJG5H.corp.example.io"), "C02XK1JHJG5H");
    CHECK_STREQ(um_host_serial(&A, "CORP\\LAPTOP-5CG1234XYZ"), "5CG1234XYZ");
    CHECK(um_host_serial(&A, "mail.example.com") == NULL);
    CHECK_STREQ(um_canon_handle(&A, "https://www.linkedin.com/in/Jane-Doe-12ab/?trk=x"), "jane-doe-12ab");
    CHECK_STREQ(um_canon_handle(&A, "https://uk.linkedin.com/in/jdoe"), "jdoe");
    CHECK_STREQ(um_canon_handle(&A, "github.com/Octo/repo"), "octo");
    CHECK_STREQ(um_canon_handle(&A, "@bbshark99"), "bbshark99");
    CHECK(um_canon_handle(&A, "https://github.com/") == NULL);
    fixed(um_canon_handle, "HTTPS://GitHub.com/Some-User");
    fixed(um_canon_serial, "sn-sn-12345");
}

int main(void) {
    um_arena_init(&A);
    RUN(test_email);
    RUN(test_phone);
    RUN(test_address);
    RUN(test_accounts);
    RUN(test_wallets);
    RUN(test_serial_handle);
    um_arena_free(&A);
    return um_t_report();
}
