#!/usr/bin/perl
# make-fixtures.pl - writes the tiny MaxMind DB fixtures tests/unit/test_ip.c
# reads into the folder given as its argument (the build runs it; Debian's
# libmaxmind-db-writer-perl, installed by scripts/install-deps.sh):
#   country.mmdb          @ip-location-db layout: { country_code }
#   geolite-country.mmdb  GeoLite2 layout: { country => { iso_code } }
#   asn.mmdb              { autonomous_system_number, autonomous_system_organization }
#   corrupt.mmdb          the first 600 bytes of country.mmdb plus junk (no metadata)
#   corrupt-tree.mmdb     country.mmdb with its search tree overwritten
# Real entries were checked on 2026-11-24 against @ip-location-db
# geo-whois-asn-country-mmdb and asn 2.3.2026061719. 203.0.113.0/24 (TEST-NET-3)
# with AS64496 (documentation ASN) is a SYNTHETIC "Astrill" entry: no public
# Astrill range exists (see data/network/astrill.txt).
#   perl tests/data/ip/make-fixtures.pl OUTDIR
use strict;
use warnings;
use MaxMind::DB::Writer::Tree;

my $dir = shift @ARGV // '.';
chdir $dir or die "$dir: $!";

sub tree {
    my ($type, %types) = @_;
    return MaxMind::DB::Writer::Tree->new(
        ip_version               => 6,
        record_size              => 24,
        database_type            => $type,
        languages                => ['en'],
        description              => { en => "unmask test fixture ($type)" },
        map_key_type_callback    => sub { $types{ $_[0] } },
        remove_reserved_networks => 0,
    );
}

sub write_tree {
    my ($t, $file) = @_;
    open my $fh, '>:raw', $file or die "$file: $!";
    $t->write_tree($fh);
    close $fh;
}

my %country = (
    '175.45.176.0/22' => 'KP',    # STAR-KP
    '8.8.8.0/24'      => 'US',
    '73.0.0.0/16'     => 'US',    # Comcast
    '45.32.0.0/16'    => 'US',    # The Constant Company (Vultr)
    '23.27.54.0/24'   => 'KR',    # listed in vpn_ipv4.txt, AS209854
    '121.128.0.0/16'  => 'KR',    # Korea Telecom
    '133.11.0.0/16'   => 'JP',    # University of Tokyo
    '160.30.166.0/23' => 'PH',
    '203.0.113.0/24'  => 'NL',    # synthetic
    '2001:4860::/32'  => 'US',
    '2400:4000::/32'  => 'JP',
);
my $c = tree('ip-location-db-country', country_code => 'utf8_string');
$c->insert_network($_, { country_code => $country{$_} }) for sort keys %country;
write_tree($c, 'country.mmdb');

my $g = tree('GeoLite2-Country', country => 'map', iso_code => 'utf8_string');
$g->insert_network('8.8.8.0/24',    { country => { iso_code => 'US' } });
$g->insert_network('133.11.0.0/16', { country => { iso_code => 'JP' } });
write_tree($g, 'geolite-country.mmdb');

my %asn = (
    '175.45.176.0/22' => [131279, 'Star Joint Venture Co. Ltd.'],
    '8.8.8.0/24'      => [15169,  'Google LLC'],
    '2001:4860::/32'  => [15169,  'Google LLC'],
    '73.0.0.0/16'     => [7922,   'Comcast Cable Communications, LLC'],
    '45.32.0.0/16'    => [20473,  'The Constant Company, LLC'],
    '23.27.54.0/24'   => [209854, 'Cyberzone S.A.'],
    '121.128.0.0/16'  => [4766,   'Korea Telecom'],
    '133.11.0.0/16'   => [2501,   'The University of Tokyo'],
    '160.30.166.0/23' => [140323, 'ALLASTRILLA ENTERPRISES'],
    '203.0.113.0/24'  => [64496,  'Astrill VPN (synthetic test entry)'],
);
my $a = tree('unmask-ASN', autonomous_system_number => 'uint32', autonomous_system_organization => 'utf8_string');
$a->insert_network($_, { autonomous_system_number => $asn{$_}[0], autonomous_system_organization => $asn{$_}[1] })
    for sort keys %asn;
write_tree($a, 'asn.mmdb');

open my $in, '<:raw', 'country.mmdb' or die;
read $in, my $head, 600;
close $in;
open my $out, '>:raw', 'corrupt.mmdb' or die;
print $out $head, "\xab\xcd\xef" x 100;
close $out;

# corrupt-tree.mmdb: valid metadata, search tree overwritten (lookups fail).
open $in, '<:raw', 'country.mmdb' or die;
local $/;
my $all = <$in>;
close $in;
substr($all, 0, 1200) = "\xff" x 1200;
open $out, '>:raw', 'corrupt-tree.mmdb' or die;
print $out $all;
close $out;
