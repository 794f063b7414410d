#!/usr/bin/perl
# csv2mmdb.pl - build an ASN MaxMind DB from the @ip-location-db/asn CSV files.
#
#   scripts/csv2mmdb.pl OUT.mmdb asn-ipv4.csv [asn-ipv6.csv ...]
#
# Input rows: first_ip,last_ip,asn,org (org may be a quoted CSV field).
# Output records use the GeoLite2-ASN field names, so libunmask reads this
# file and a GeoLite2-ASN.mmdb the same way:
#   { autonomous_system_number => uint32, autonomous_system_organization => utf8 }
# Rows that do not parse, or that the writer refuses (reserved space), are
# skipped and counted. Needs Debian's libmaxmind-db-writer-perl.
use strict;
use warnings;
use MaxMind::DB::Writer::Tree;

die "usage: $0 OUT.mmdb IN.csv [IN.csv ...]\n" unless @ARGV >= 2;
my ($out, @inputs) = @ARGV;

my %types = (
    autonomous_system_number       => 'uint32',
    autonomous_system_organization => 'utf8_string',
);
my $tree = MaxMind::DB::Writer::Tree->new(
    ip_version            => 6,
    record_size           => 32,
    database_type         => 'unmask-ASN',
    languages             => ['en'],
    description           => { en => 'IP to ASN built from @ip-location-db/asn (RouteViews, RIRs, DB-IP CC-BY-4.0)' },
    map_key_type_callback => sub { $types{ $_[0] } },
    merge_strategy        => 'none',
);

# One CSV field at the front of $s; returns (value, rest).
sub take_field {
    my ($s) = @_;
    if ($s =~ /^"/) {
        my $v = '';
        my $i = 1;
        while ($i < length $s) {
            my $c = substr($s, $i, 1);
            if ($c eq '"') {
                if (substr($s, $i + 1, 1) eq '"') { $v .= '"'; $i += 2; next; }
                $i++;
                last;
            }
            $v .= $c;
            $i++;
        }
        my $rest = substr($s, $i);
        $rest =~ s/^,//;
        return ($v, $rest);
    }
    my ($v, $rest) = split /,/, $s, 2;
    return ($v // '', $rest // '');
}

my ($rows, $bad) = (0, 0);
for my $in (@inputs) {
    open my $fh, '<:encoding(UTF-8)', $in or die "$in: $!\n";
    while (my $line = <$fh>) {
        $line =~ s/\r?\n\z//;
        next if $line eq '';
        my ($first, $rest) = take_field($line);
        my $last;
        ($last, $rest) = take_field($rest);
        my $asn;
        ($asn, $rest) = take_field($rest);
        my ($org) = take_field($rest);
        if (!defined $asn || $asn !~ /^\d{1,10}$/ || $asn > 4294967295) { $bad++; next; }
        my %rec = (autonomous_system_number => $asn + 0);
        $rec{autonomous_system_organization} = $org if defined $org && $org ne '';
        if (eval { $tree->insert_range($first, $last, \%rec); 1 }) { $rows++; }
        else { $bad++; }
    }
    close $fh;
}
die "no usable rows in @inputs\n" unless $rows;

my $tmp = "$out.tmp";
open my $ofh, '>:raw', $tmp or die "$tmp: $!\n";
$tree->write_tree($ofh);
close $ofh or die "$tmp: $!\n";
rename $tmp, $out or die "rename $tmp: $!\n";
print STDERR "csv2mmdb: $rows ranges written to $out ($bad skipped)\n";
