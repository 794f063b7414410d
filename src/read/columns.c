/* columns.c - header-name synonyms for identity exports (see columns.h). */
#include "columns.h"
#include "../util/ascii.h"

#include <string.h>

/* Names are compared after lower-casing and dropping every character that
 * is not a letter or digit ("First Name" == "first_name" == "firstname"). */
static const struct {
    const char *name;
    um_attr attr;
} synonyms[] = {
    {"candidateid", UM_ATTR_CANDIDATE_ID}, {"applicantid", UM_ATTR_CANDIDATE_ID},
    {"applicationid", UM_ATTR_CANDIDATE_ID}, {"candidate", UM_ATTR_CANDIDATE_ID},
    {"employeeid", UM_ATTR_EMPLOYEE_ID}, {"employeenumber", UM_ATTR_EMPLOYEE_ID},
    {"empid", UM_ATTR_EMPLOYEE_ID}, {"workerid", UM_ATTR_EMPLOYEE_ID},
    {"personnelnumber", UM_ATTR_EMPLOYEE_ID}, {"contractorid", UM_ATTR_EMPLOYEE_ID},
    {"payeeid", UM_ATTR_EMPLOYEE_ID},
    {"fullname", UM_ATTR_FULL_NAME}, {"name", UM_ATTR_FULL_NAME}, {"legalname", UM_ATTR_FULL_NAME},
    {"candidatename", UM_ATTR_FULL_NAME}, {"employeename", UM_ATTR_FULL_NAME},
    {"displayname", UM_ATTR_FULL_NAME}, {"payeename", UM_ATTR_FULL_NAME},
    {"recipientname", UM_ATTR_FULL_NAME}, {"shiptoname", UM_ATTR_FULL_NAME},
    {"firstname", UM_ATTR_FIRST_NAME}, {"givenname", UM_ATTR_FIRST_NAME}, {"forename", UM_ATTR_FIRST_NAME},
    {"dateofbirth", UM_ATTR_DOB}, {"dob", UM_ATTR_DOB}, {"birthdate", UM_ATTR_DOB},
    {"birthday", UM_ATTR_DOB},
    {"lastname", UM_ATTR_LAST_NAME}, {"surname", UM_ATTR_LAST_NAME}, {"familyname", UM_ATTR_LAST_NAME},
    {"email", UM_ATTR_EMAIL}, {"emailaddress", UM_ATTR_EMAIL}, {"personalemail", UM_ATTR_EMAIL},
    {"contactemail", UM_ATTR_EMAIL}, {"emails", UM_ATTR_EMAIL}, {"emailaddresses", UM_ATTR_EMAIL},
    {"personalemails", UM_ATTR_EMAIL}, {"privateemail", UM_ATTR_EMAIL}, {"homeemail", UM_ATTR_EMAIL}, {"candidateemail", UM_ATTR_EMAIL}, {"mail", UM_ATTR_EMAIL},
    {"workemail", UM_ATTR_WORK_EMAIL}, {"owner", UM_ATTR_WORK_EMAIL}, {"owneremail", UM_ATTR_WORK_EMAIL},
    {"assignedto", UM_ATTR_WORK_EMAIL}, {"assigneduser", UM_ATTR_WORK_EMAIL}, {"primaryuser", UM_ATTR_WORK_EMAIL}, {"corporateemail", UM_ATTR_WORK_EMAIL},
    {"companyemail", UM_ATTR_WORK_EMAIL}, {"businessemail", UM_ATTR_WORK_EMAIL},
    {"upn", UM_ATTR_IDP_LOGIN}, {"userprincipalname", UM_ATTR_IDP_LOGIN}, {"oktalogin", UM_ATTR_IDP_LOGIN},
    {"idplogin", UM_ATTR_IDP_LOGIN}, {"ssologin", UM_ATTR_IDP_LOGIN}, {"login", UM_ATTR_IDP_LOGIN},
    {"username", UM_ATTR_USERNAME}, {"samaccountname", UM_ATTR_USERNAME}, {"adaccount", UM_ATTR_USERNAME},
    {"aduser", UM_ATTR_USERNAME}, {"endpointuser", UM_ATTR_USERNAME}, {"windowsuser", UM_ATTR_USERNAME},
    {"userid", UM_ATTR_USERNAME},
    {"hostname", UM_ATTR_HOSTNAME}, {"computername", UM_ATTR_HOSTNAME}, {"devicename", UM_ATTR_HOSTNAME},
    {"assetname", UM_ATTR_HOSTNAME}, {"laptop", UM_ATTR_HOSTNAME}, {"machinename", UM_ATTR_HOSTNAME},
    {"phone", UM_ATTR_PHONE}, {"phonenumber", UM_ATTR_PHONE}, {"mobile", UM_ATTR_PHONE},
    {"mobilephone", UM_ATTR_PHONE}, {"cell", UM_ATTR_PHONE}, {"telephone", UM_ATTR_PHONE},
    {"contactphone", UM_ATTR_PHONE}, {"phones", UM_ATTR_PHONE}, {"phonenumbers", UM_ATTR_PHONE},
    {"mobilenumber", UM_ATTR_PHONE}, {"cellphone", UM_ATTR_PHONE}, {"homephone", UM_ATTR_PHONE},
    {"whatsapp", UM_ATTR_PHONE},
    {"address", UM_ATTR_ADDRESS}, {"street", UM_ATTR_ADDRESS}, {"streetaddress", UM_ATTR_ADDRESS},
    {"address1", UM_ATTR_ADDRESS}, {"addressline1", UM_ATTR_ADDRESS}, {"homeaddress", UM_ATTR_ADDRESS},
    {"mailingaddress", UM_ATTR_ADDRESS}, {"residentialaddress", UM_ATTR_ADDRESS},
    {"homestreet", UM_ATTR_ADDRESS}, {"street1", UM_ATTR_ADDRESS}, {"line1", UM_ATTR_ADDRESS},
    {"city", UM_ATTR_CITY}, {"town", UM_ATTR_CITY}, {"suburb", UM_ATTR_CITY}, {"locality", UM_ATTR_CITY},
    {"state", UM_ATTR_REGION}, {"region", UM_ATTR_REGION}, {"province", UM_ATTR_REGION},
    {"homecity", UM_ATTR_CITY},
    {"zip", UM_ATTR_POSTAL_CODE}, {"zippostalcode", UM_ATTR_POSTAL_CODE}, {"postal", UM_ATTR_POSTAL_CODE}, {"zipcode", UM_ATTR_POSTAL_CODE}, {"postalcode", UM_ATTR_POSTAL_CODE},
    {"postcode", UM_ATTR_POSTAL_CODE},
    {"country", UM_ATTR_COUNTRY}, {"countryofresidence", UM_ATTR_COUNTRY},
    {"claimedcountry", UM_ATTR_COUNTRY}, {"location", UM_ATTR_COUNTRY},
    {"claimedlocation", UM_ATTR_COUNTRY}, {"residencecountry", UM_ATTR_COUNTRY},
    {"timezone", UM_ATTR_TIMEZONE}, {"tz", UM_ATTR_TIMEZONE}, {"claimedtimezone", UM_ATTR_TIMEZONE},
    {"linkedin", UM_ATTR_LINKEDIN}, {"linkedinurl", UM_ATTR_LINKEDIN}, {"linkedinprofile", UM_ATTR_LINKEDIN},
    {"github", UM_ATTR_GITHUB}, {"githuburl", UM_ATTR_GITHUB}, {"githubusername", UM_ATTR_GITHUB},
    {"githublogin", UM_ATTR_GITHUB}, {"githubprofile", UM_ATTR_GITHUB},
    {"gitemail", UM_ATTR_GIT_EMAIL}, {"commitemail", UM_ATTR_GIT_EMAIL},
    {"resume", UM_ATTR_RESUME}, {"resumetext", UM_ATTR_RESUME}, {"cv", UM_ATTR_RESUME},
    {"cvtext", UM_ATTR_RESUME},
    {"photo", UM_ATTR_PHOTO}, {"photofile", UM_ATTR_PHOTO}, {"photopath", UM_ATTR_PHOTO},
    {"profilephoto", UM_ATTR_PHOTO}, {"headshot", UM_ATTR_PHOTO}, {"avatar", UM_ATTR_PHOTO},
    {"referredby", UM_ATTR_REFERRED_BY}, {"referrer", UM_ATTR_REFERRED_BY}, {"referral", UM_ATTR_REFERRED_BY},
    {"hiredate", UM_ATTR_HIRE_DATE}, {"startdate", UM_ATTR_HIRE_DATE}, {"dateofhire", UM_ATTR_HIRE_DATE},
    {"languages", UM_ATTR_LANGUAGES}, {"language", UM_ATTR_LANGUAGES}, {"spokenlanguages", UM_ATTR_LANGUAGES},
    {"languagesspoken", UM_ATTR_LANGUAGES}, {"workinglanguages", UM_ATTR_LANGUAGES},
    {"department", UM_ATTR_DEPARTMENT}, {"dept", UM_ATTR_DEPARTMENT}, {"division", UM_ATTR_DEPARTMENT},
    {"orgunit", UM_ATTR_DEPARTMENT}, {"businessunit", UM_ATTR_DEPARTMENT}, {"team", UM_ATTR_DEPARTMENT},
    {"role", UM_ATTR_ROLE}, {"jobtitle", UM_ATTR_ROLE}, {"title", UM_ATTR_ROLE}, {"position", UM_ATTR_ROLE},
    {"payoutaccount", UM_ATTR_PAYOUT_ACCOUNT}, {"bankaccount", UM_ATTR_PAYOUT_ACCOUNT},
    {"accountnumber", UM_ATTR_PAYOUT_ACCOUNT}, {"iban", UM_ATTR_PAYOUT_ACCOUNT},
    {"paypal", UM_ATTR_PAYOUT_ACCOUNT}, {"payoutdestination", UM_ATTR_PAYOUT_ACCOUNT},
    {"accountholder", UM_ATTR_PAYOUT_NAME}, {"accountname", UM_ATTR_PAYOUT_NAME},
    {"payoutname", UM_ATTR_PAYOUT_NAME}, {"beneficiaryname", UM_ATTR_PAYOUT_NAME},
    {"wallet", UM_ATTR_WALLET}, {"walletaddress", UM_ATTR_WALLET}, {"cryptowallet", UM_ATTR_WALLET},
    {"payoutwallet", UM_ATTR_WALLET}, {"usdcaddress", UM_ATTR_WALLET}, {"usdtaddress", UM_ATTR_WALLET},
    {"cryptoaddress", UM_ATTR_WALLET}, {"walletaddresses", UM_ATTR_WALLET},
    {"paypalemail", UM_ATTR_PAYOUT_ACCOUNT}, {"payoneeraccount", UM_ATTR_PAYOUT_ACCOUNT},
    {"wiseaccount", UM_ATTR_PAYOUT_ACCOUNT}, {"bankaccountnumber", UM_ATTR_PAYOUT_ACCOUNT},
    {"payoutaccountid", UM_ATTR_PAYOUT_ACCOUNT},
    {"payoutmethod", UM_ATTR_PAYOUT_METHOD}, {"paymentmethod", UM_ATTR_PAYOUT_METHOD},
    {"changedate", UM_ATTR_CHANGE_DATE}, {"effectivedate", UM_ATTR_CHANGE_DATE},
    {"changedat", UM_ATTR_CHANGE_DATE},
    {"serial", UM_ATTR_DEVICE_SERIAL}, {"serialnumber", UM_ATTR_DEVICE_SERIAL},
    {"deviceserial", UM_ATTR_DEVICE_SERIAL}, {"assetserial", UM_ATTR_DEVICE_SERIAL},
    {"shipto", UM_ATTR_SHIP_ADDRESS}, {"shiptoaddress", UM_ATTR_SHIP_ADDRESS},
    {"shippingaddress", UM_ATTR_SHIP_ADDRESS}, {"deliveryaddress", UM_ATTR_SHIP_ADDRESS},
    {"shipdate", UM_ATTR_SHIP_DATE}, {"shippeddate", UM_ATTR_SHIP_DATE}, {"shippedat", UM_ATTR_SHIP_DATE},
    {"telegram", UM_ATTR_TELEGRAM}, {"telegramhandle", UM_ATTR_TELEGRAM}, {"telegramusername", UM_ATTR_TELEGRAM},
    {"laptopserial", UM_ATTR_DEVICE_SERIAL}, {"computerserial", UM_ATTR_DEVICE_SERIAL},
    {"nationalid", UM_ATTR_NATIONAL_ID}, {"nationalidnumber", UM_ATTR_NATIONAL_ID}, {"ssn", UM_ATTR_NATIONAL_ID},
    {"socialsecuritynumber", UM_ATTR_NATIONAL_ID}, {"socsecid", UM_ATTR_NATIONAL_ID},
    {"nationalinsurancenumber", UM_ATTR_NATIONAL_ID}, {"nino", UM_ATTR_NATIONAL_ID},
};

int um_column_attr(const char *name) {
    char k[64];
    size_t n = 0;
    for (const char *p = name; *p && n < sizeof k - 1; p++)
        if (um_ascii_isalnum((unsigned char)*p)) k[n++] = (char)um_ascii_tolower((unsigned char)*p);
    k[n] = 0;
    if (!n) return -1;
    for (size_t i = 0; i < UM_ARRAY_LEN(synonyms); i++)
        if (strcmp(synonyms[i].name, k) == 0) return (int)synonyms[i].attr;
    int a = um_attr_from_name(name);
    return a;
}

um_person_kind um_column_kind(const int *attrs, size_t n) {
    bool ship = false, pay = false, emp = false;
    for (size_t i = 0; i < n; i++) {
        if (attrs[i] == UM_ATTR_SHIP_ADDRESS || attrs[i] == UM_ATTR_DEVICE_SERIAL) ship = true;
        if (attrs[i] == UM_ATTR_PAYOUT_ACCOUNT || attrs[i] == UM_ATTR_WALLET) pay = true;
        if (attrs[i] == UM_ATTR_EMPLOYEE_ID || attrs[i] == UM_ATTR_WORK_EMAIL) emp = true;
    }
    if (ship) return UM_PERSON_SHIPPING;
    if (pay) return UM_PERSON_PAYROLL;
    return emp ? UM_PERSON_EMPLOYEE : UM_PERSON_APPLICANT;
}
