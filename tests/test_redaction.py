"""What staff see of a patient's message in `make review`: personal details become tags, the
question and its medical words stay (staff/redaction.py)."""

from __future__ import annotations

import pytest

from staff.redaction import redact

# What a patient typed -> what staff see.
PERSONAL_DETAILS_GO = [
    # names
    ("My name is Jane Doe and I have sciatica", "My name is [name] and I have sciatica"),
    ("my name is jane doe i have back pain", "my name is [name] i have back pain"),
    ("My Name Is Will Turner", "My Name Is [name]"),
    ("I'm John Smith, I had MIG-LIF at L4-L5 2 weeks ago",
     "I'm [name], I had MIG-LIF at L4-L5 2 weeks ago"),
    ("Im Tom Jones, can I shower yet", "Im [name], can I shower yet"),
    ("I'm Emily, 52, with stenosis", "I'm [name], 52, with stenosis"),
    ("Hi, this is Maria Garcia-Lopez calling about my MRI",
     "Hi, this is [name] calling about my MRI"),
    ("Jane Q. Doe calling about my bill", "[name] calling about my bill"),
    ("Jane here, quick question about parking", "[name] here, quick question about parking"),
    ("Dr. Patel said I need 5 days off work", "Dr. [name] said I need 5 days off work"),
    ("I'm Dr. Patel's patient", "I'm Dr. [name]'s patient"),
    ("my wife Susan drives me to appointments", "my wife [name] drives me to appointments"),
    ("my husband, Tom, will pick me up", "my husband, [name], will pick me up"),
    ("can I drive after surgery? thanks, Bob", "can I drive after surgery? thanks, [name]"),
    ("when can i lift my grandkids thx bob", "when can i lift my grandkids thx [name]"),
    ("Regards, Linda Brown", "Regards, [name]"),
    # addresses and ZIP codes
    ("I live at 123 N Main St Apt 4, Little Rock AR 72201", "I live at [address], [zip]"),
    ("send the forms to 4500 West Markham Street", "send the forms to [address]"),
    ("i live at 12 oak street", "i live at [address]"),
    ("mail it to PO Box 12 please", "mail it to [address] please"),
    ("is 4500 w markham st ste 300 your office?", "is [address] your office?"),
    ("do you see patients from 72032", "do you see patients from [zip]"),
    ("my zip is 72201-1234", "my zip is [zip]"),
    ("I live in Little Rock, AR 72201", "I live in [zip]"),
    # record and insurance numbers
    ("MRN 00123456", "MRN [record number]"),
    ("my medical record # A12-3456", "my medical record # [record number]"),
    ("member ID XJH123456789", "member ID [insurance number]"),
    ("policy number 998877 and group #12345",
     "policy number [insurance number] and group #[insurance number]"),
    ("my insurance id is W123456789", "my insurance id is [insurance number]"),
    ("my medicare number is 1EG4-TE5-MK73", "my medicare number is [insurance number]"),
    ("my card says XJH123456789", "my card says [id number]"),
    # today's rules: phone, e-mail, dates
    ("my appt is 12/03, call me at 501-555-0199 or a@b.com",
     "my appt is [date], call me at [phone] or [e-mail]"),
    ("surgery on March 3rd, 2026 or April 30", "surgery on [date] or [date]"),
    ("Pt name Jane Doe DOB 1/2/1960", "Pt name [name] DOB [date]"),
    # day first, and names in lower case
    ("born 3rd April 1980, is that too old for MISS", "born [date], is that too old for MISS"),
    ("my surgery is on the 5th of may", "my surgery is on the [date]"),
    ("i'm jane doe and my back hurts", "i'm [name] and my back hurts"),
    ("my daughter emily drives me to physio", "my daughter [name] drives me to physio"),
    ("hi im maria lopez do u treat scoliosis", "hi im [name] do u treat scoliosis"),
    ("my wife maria jose has pain", "my wife [name] has pain"),
]

# Spanish: the same details, accents typed or not.
SPANISH_DETAILS_GO = [
    # names
    ("soy maria lopez y tengo ciatica", "soy [name] y tengo ciatica"),
    ("hola soy juan, tienen telemedicina?", "hola soy [name], tienen telemedicina?"),
    ("hola, soy Ana y tengo dolor de espalda", "hola, soy [name] y tengo dolor de espalda"),
    ("me llamo Juan Perez", "me llamo [name]"),
    ("mi nombre es ana", "mi nombre es [name]"),
    ("mi esposo Carlos tiene hernia", "mi esposo [name] tiene hernia"),
    ("mi hija maria se cayo", "mi hija [name] se cayo"),
    ("mi novio, Luis, me acompaña", "mi novio, [name], me acompaña"),
    ("mi tio pedro tiene estenosis", "mi tio [name] tiene estenosis"),
    ("mi hija maria del carmen se cayo", "mi hija [name] se cayo"),
    ("Soy María del Carmen López", "Soy [name]"),
    ("soy el hijo de maria lopez", "soy el hijo de [name]"),
    ("la Dra. Gomez me dijo", "la Dra. [name] me dijo"),
    ("la dra gomez me opero", "la dra [name] me opero"),
    ("consulta con la Dra. Perez-Soto", "consulta con la Dra. [name]"),
    ("mi doctor se llama Gomez", "mi doctor se llama [name]"),
    ("le escribe Rosa Martinez", "le escribe [name]"),
    ("habla juan perez", "habla [name]"),
    ("gracias, Rosa", "gracias, [name]"),
    ("gracias juan", "gracias [name]"),
    ("saludos cordiales, Juan Perez", "saludos cordiales, [name]"),
    ("Atentamente, Maria Lopez", "Atentamente, [name]"),
    # dates
    ("el 3 de marzo", "el [date]"),
    ("nací el 12/05/1961", "nací el [date]"),
    ("nací el 3 de marzo de 1961", "nací el [date]"),
    ("mi cirugia es el 1ro de mayo", "mi cirugia es el [date]"),
    ("me operaron en marzo 3, 2024", "me operaron en [date]"),
    ("tengo cita el lunes 12 de junio a las 3", "tengo cita el lunes [date] a las 3"),
    # labelled numbers
    ("mi número de expediente es 448812", "mi número de expediente es [record number]"),
    ("mi numero de expediente es 448812", "mi numero de expediente es [record number]"),
    ("mi seguro es ABC123456", "mi seguro es [insurance number]"),
    ("mi póliza es ABC123456", "mi póliza es [insurance number]"),
    ("numero de poliza: XJH123456789", "numero de poliza: [insurance number]"),
    ("mi numero de miembro es ABC123456", "mi numero de miembro es [insurance number]"),
    ("mi seguro social es 123-45-6789", "mi seguro social es [id number]"),
    ("mi teléfono es 501 555 0199", "mi teléfono es [phone]"),
    ("mi telefono es 448812", "mi telefono es [phone]"),
    # addresses and postal codes
    ("vivo en calle 5 de mayo 123", "vivo en [address]"),
    ("vivo en Av. Reforma 222, depto 4", "vivo en [address]"),
    ("hola me llamo Jose y vivo en calle Luna 45", "hola me llamo [name] y vivo en [address]"),
    ("código postal 33101", "código postal [zip]"),
]

# Messages staff must see as they are: symptoms, levels, durations, ages, feelings.
STAY_AS_TYPED = [
    "Sciatica is killing me",
    "I'm 45 and I'm scared",
    "i am scared of being put under",
    "I'm Having trouble sleeping after MIG-LIF",
    "I Am Having Back Pain After My L4-L5 Fusion",
    "This is urgent, my legs are numb",
    "This is Urgent",
    "I'm Sorry to bother you",
    "recovery is 6-8 weeks right?",
    "I walked 2 miles all the way home",
    "it is a 3 hour drive to the clinic",
    "2 weeks ago dr said to rest",
    "I take 1/2 a pill at night",
    "my pain is 8/10",
    "temp is 38.9 since 5 days",
    "is COVID-19 a risk with a C5-C6 fusion",
    "I'm in a support group 2025",
    "I walked 10000 steps today",
    "Back pain here is bad",
    "ok cheers mate",
    "I need an X-Ray",
    "3 may be too many pills",
    "my husband fell and cant move his legs",
    "i'm dizzy and nauseous",
    "my wife thinks its infected",
]

# Spanish words after the same cues stay: the Spanish lemma tables know them, with or without
# their accents; so do the numbers of a symptom.
SPANISH_STAYS = [
    "soy diabetico",
    "soy alergica a la penicilina",
    "soy asmatica",
    "soy hipertenso y tengo 60 años",
    "soy jubilada",
    "soy enfermera",
    "me llamo la atencion",
    "mi esposo se cayo",
    "mi esposo fue operado de la espalda",
    "mi esposo ayer se cayo",
    "mi esposo realmente esta preocupado",
    "Mi Hija Se Cayo",
    "mi hija mayor me trae",
    "soy de Miami",
    "soy el esposo de la paciente",
    "el doctor dijo que necesito terapia",
    "el doctor recomendo terapia",
    "la doctora me dijo que descanse",
    "¿alguien habla español?",
    "gracias doctora",
    "gracias por todo",
    "gracias a Dios",
    "me caí en la calle hace 2 semanas",
    "caminé por la avenida 20 minutos",
    "camino 30 minutos 2 veces al dia",
    "tengo 3 de 10 de dolor",
    "el dolor es 8/10",
    "hernia discal L5-S1 desde 2019",
]


@pytest.mark.parametrize(("said", "shown"), PERSONAL_DETAILS_GO)
def test_personal_details_become_tags(said, shown):
    assert redact(said) == shown


@pytest.mark.parametrize("said", STAY_AS_TYPED)
def test_medical_words_numbers_and_feelings_stay(said):
    assert redact(said) == said


@pytest.mark.parametrize(("said", "shown"), SPANISH_DETAILS_GO)
def test_personal_details_in_spanish_become_tags(said, shown):
    assert redact(said) == shown


@pytest.mark.parametrize("said", SPANISH_STAYS)
def test_spanish_words_after_the_cues_stay(said):
    assert redact(said) == said
